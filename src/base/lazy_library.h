// LazyLibrary: a shared library loaded at its first use instead of at start. libcurl and libpq
// bring some twenty libraries with them (GnuTLS, LDAP, SASL, Kerberos, nghttp2, …); mapping them
// cost every strata command about 9 ms here, `strata --help` included, though only the
// server, the worker, `strata remote` and `strata app` use them (libarchive, for code archives,
// 2 ms more). Their entry points are defined in shims (store/postgres/libpq_shim.cc,
// app/libcurl_shim.cc, control/libarchive_shim.cc) that look the real ones up here.
#pragma once

#include <mutex>
#include <string>

namespace strata {

class LazyLibrary {
 public:
  // `soname` as the package installs it ("libpq.so.5"); `package` names the Debian package for
  // the hint when it is missing.
  LazyLibrary(const char* soname, const char* package) : soname_(soname), package_(package) {}
  // The address of `name` in the library, loading it first. A missing library or symbol ends the
  // process with a message naming it and the package to install: the callers are C entry points
  // that cannot throw.
  void* symbol(const char* name);

 private:
  const char* soname_;
  const char* package_;
  std::once_flag loaded_;
  void* handle_ = nullptr;
};

}  // namespace strata

// Defines `strata::LazyLibrary& accessor()`, the one library a shim file loads.
#define STRATA_LAZY_LIBRARY(accessor, soname, package)     \
  namespace {                                              \
  strata::LazyLibrary& accessor() {                        \
    static strata::LazyLibrary library(soname, package);   \
    return library;                                        \
  }                                                        \
  }

// Defines FN's pointer, looked up once, in a shim function body.
#define STRATA_LAZY_SYMBOL(library, fn)                                          \
  static const auto real = reinterpret_cast<decltype(&fn)>((library).symbol(#fn))

// A whole shim: `ret name params` calling the real one with `args`.
#define STRATA_LAZY_FUNCTION(library, ret, name, params, args) \
  ret name params {                                            \
    STRATA_LAZY_SYMBOL(library, name);                         \
    return real args;                                          \
  }
