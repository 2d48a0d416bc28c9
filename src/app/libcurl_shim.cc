// libcurl's entry points strata uses, loaded at the first call (base/lazy_library.h): a strata
// command that makes no HTTP request never maps libcurl and the libraries it brings.
#define CURL_DISABLE_TYPECHECK  // the type-checking macros would rename the definitions below
#include <curl/curl.h>

#include <cstdarg>

#include "base/lazy_library.h"

STRATA_LAZY_LIBRARY(libcurl, "libcurl.so.4", "libcurl4")

extern "C" {

CURLcode curl_global_init(long flags) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_global_init);
  return real(flags);
}
CURL* curl_easy_init(void) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_easy_init);
  return real();
}
// The one argument after the option has the type the option's number range says (curl.h's
// CURLOPTTYPE_*): a long, a pointer (data or callback), or a curl_off_t.
CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_easy_setopt);
  va_list args;
  va_start(args, option);
  CURLcode result;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    long value = va_arg(args, long);
    result = real(curl, option, value);
  } else if (option < CURLOPTTYPE_OFF_T || option >= CURLOPTTYPE_BLOB) {
    void* value = va_arg(args, void*);
    result = real(curl, option, value);
  } else {
    curl_off_t value = va_arg(args, curl_off_t);
    result = real(curl, option, value);
  }
  va_end(args);
  return result;
}
CURLcode curl_easy_perform(CURL* curl) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_easy_perform);
  return real(curl);
}
void curl_easy_cleanup(CURL* curl) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_easy_cleanup);
  real(curl);
}
// Every CURLINFO takes a pointer to where the answer goes.
CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_easy_getinfo);
  va_list args;
  va_start(args, info);
  void* where = va_arg(args, void*);
  va_end(args);
  return real(curl, info, where);
}
void curl_easy_reset(CURL* curl) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_easy_reset);
  real(curl);
}
const char* curl_easy_strerror(CURLcode code) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_easy_strerror);
  return real(code);
}
struct curl_slist* curl_slist_append(struct curl_slist* list, const char* data) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_slist_append);
  return real(list, data);
}
void curl_slist_free_all(struct curl_slist* list) {
  STRATA_LAZY_SYMBOL(libcurl(), curl_slist_free_all);
  real(list);
}

}  // extern "C"
