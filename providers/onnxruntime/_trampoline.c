/*
 * The shared library ONNX Runtime loads for the WebNN execution provider.
 *
 * ORT dlopens a plugin EP library and calls its exported CreateEpFactories/ReleaseEpFactory.
 * Everything else (factory, EP, partitioning, compile, compute) is written in Python with
 * ctypes: Python loads this same library (dlopen of an already loaded path returns the same
 * handle) and installs two function pointers through webnn_ep_set_callbacks(). These two
 * exports only forward to them.
 *
 * No ORT or Python headers are needed: pointers are opaque here. If ORT calls before Python
 * installed the callbacks, an error status is returned through the OrtApi handed to
 * CreateEpFactories (OrtApiBase::GetApi is its first member, OrtApi::CreateStatus the
 * first member of the table).
 */

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define WEBNN_EXPORT __declspec(dllexport)
#else
#define WEBNN_EXPORT __attribute__((visibility("default")))
#endif

typedef void *(*create_factories_fn)(const char *registration_name, const void *ort_api_base,
                                     const void *default_logger, void **factories,
                                     size_t max_factories, size_t *num_factories);
typedef void *(*release_factory_fn)(void *factory);
typedef const void *(*get_api_fn)(uint32_t version);
typedef void *(*create_status_fn)(int code, const char *message);

static create_factories_fn g_create = NULL;
static release_factory_fn g_release = NULL;
static const void *g_api_base = NULL;

enum { ORT_FAIL = 1 };

static void *error_status(const void *api_base, const char *message) {
  if (api_base == NULL) return NULL;
  get_api_fn get_api = *(get_api_fn const *)api_base;
  if (get_api == NULL) return NULL;
  const void *api = get_api(1); /* CreateStatus exists in every version of the table */
  if (api == NULL) return NULL;
  create_status_fn create_status = *(create_status_fn const *)api;
  return create_status(ORT_FAIL, message);
}

WEBNN_EXPORT void webnn_ep_set_callbacks(create_factories_fn create, release_factory_fn release) {
  g_create = create;
  g_release = release;
}

WEBNN_EXPORT void *CreateEpFactories(const char *registration_name, const void *ort_api_base,
                                     const void *default_logger, void **factories,
                                     size_t max_factories, size_t *num_factories) {
  g_api_base = ort_api_base;
  if (num_factories != NULL) *num_factories = 0;
  if (g_create == NULL) {
    return error_status(ort_api_base,
                        "WebNNExecutionProvider: the library was loaded without its Python side; "
                        "register it with webnn_providers.onnxruntime.register()");
  }
  return g_create(registration_name, ort_api_base, default_logger, factories, max_factories,
                  num_factories);
}

WEBNN_EXPORT void *ReleaseEpFactory(void *factory) {
  if (g_release == NULL) {
    return error_status(g_api_base, "WebNNExecutionProvider: the Python side is not loaded");
  }
  return g_release(factory);
}
