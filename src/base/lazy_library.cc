#include "base/lazy_library.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include "model/error_kind.h"

namespace strata {

void* LazyLibrary::symbol(const char* name) {
  std::call_once(loaded_, [this] {
    handle_ = ::dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      std::fprintf(stderr, "strata: cannot load %s: %s\n  hint: install the Debian package %s\n", soname_,
                   ::dlerror(), package_);
      std::exit(exit_code(ErrorKind::kEnvironment));
    }
  });
  void* address = ::dlsym(handle_, name);
  if (!address) {
    std::fprintf(stderr, "strata: %s has no %s (a version strata was not built for)\n  hint: install the Debian package %s\n",
                 soname_, name, package_);
    std::exit(exit_code(ErrorKind::kEnvironment));
  }
  return address;
}

}  // namespace strata
