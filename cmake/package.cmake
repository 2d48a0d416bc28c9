# Installation (`cmake --install`, default prefix /usr/local) and the Debian package (`cpack`,
# strata_<version>_<arch>.deb installing under /usr). The man page and completion scripts are
# written by strata itself when it is linked (src/cli/CMakeLists.txt, write_share_files.cmake).
include(GNUInstallDirs)

set(STRATA_SHARE_BUILD_DIR ${CMAKE_BINARY_DIR}/share)

install(TARGETS strata RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS strata-supervise RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/strata)
# Plain for `cmake --install`; the package takes the gzipped page instead (Debian policy 12.1).
install(FILES ${STRATA_SHARE_BUILD_DIR}/strata.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT man)
install(FILES ${STRATA_SHARE_BUILD_DIR}/strata.1.gz
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT man_gz EXCLUDE_FROM_ALL)
install(FILES ${STRATA_SHARE_BUILD_DIR}/strata.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME strata)
install(FILES ${STRATA_SHARE_BUILD_DIR}/_strata
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${STRATA_SHARE_BUILD_DIR}/strata.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
# Whatever a run of an example left behind (work dirs, state) is not part of it.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/strata/examples
  PATTERN ".strata" EXCLUDE
  PATTERN ".terraform" EXCLUDE
  PATTERN ".terraform.lock.hcl" EXCLUDE
  PATTERN "*.tfstate*" EXCLUDE)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME strata)
set(CPACK_PACKAGE_VENDOR "strata maintainers")
set(CPACK_PACKAGE_CONTACT "strata maintainers <maintainers@users.noreply.b-seed-4cda7bc6.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "orchestrator for OpenTofu/Terraform across many stacks")
# Debian's long description: lines of at most 80 columns.
string(JOIN "\n" CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "strata runs OpenTofu or Terraform for environments defined once: in"
  "JavaScript stack files (Comet-compatible), in a hierarchical YAML tree"
  "(Kompos/himl-compatible) or in HCL. It resolves templates and cross-stack"
  "references, writes one standard Terraform workdir per stack and component,"
  "and runs the components in dependency order and in parallel."
  "OpenTofu or Terraform itself is not part of this package.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# Every component but the plain man page (the package carries strata.1.gz): the build tree is
# installed twice, once per component.
set(CPACK_INSTALL_CMAKE_PROJECTS
  "${CMAKE_BINARY_DIR};strata;Unspecified;/"
  "${CMAKE_BINARY_DIR};strata;man_gz;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the libraries the binary links (dpkg-shlibdeps), not a hand-kept list — except
# the ones strata loads at their first use (base/lazy_library.h), which the binary does not name.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4, libpq5, libarchive13, libsqlite3-0")
# `strata graph --format svg` runs Graphviz's dot.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS graphviz)
include(CPack)
