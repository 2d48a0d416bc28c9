// libarchive's entry points strata uses (code archives: control/code_archive.cc), loaded at the
// first call (base/lazy_library.h): a command that packs or unpacks no code never maps
// libarchive and the libraries it brings (libxml2, ACLs, bzip2, nettle).
#include <archive.h>
#include <archive_entry.h>

#include "base/lazy_library.h"

STRATA_LAZY_LIBRARY(libarchive, "libarchive.so.13", "libarchive13")

extern "C" {

STRATA_LAZY_FUNCTION(libarchive(), struct archive*, archive_read_new, (void), ())
STRATA_LAZY_FUNCTION(libarchive(), int, archive_read_support_filter_gzip, (struct archive * a), (a))
STRATA_LAZY_FUNCTION(libarchive(), int, archive_read_support_format_tar, (struct archive * a), (a))
STRATA_LAZY_FUNCTION(libarchive(), int, archive_read_open_memory, (struct archive * a, const void* buff, size_t size),
                     (a, buff, size))
STRATA_LAZY_FUNCTION(libarchive(), int, archive_read_next_header, (struct archive * a, struct archive_entry** entry),
                     (a, entry))
STRATA_LAZY_FUNCTION(libarchive(), la_ssize_t, archive_read_data, (struct archive * a, void* buff, size_t size),
                     (a, buff, size))
STRATA_LAZY_FUNCTION(libarchive(), struct archive*, archive_write_new, (void), ())
STRATA_LAZY_FUNCTION(libarchive(), int, archive_write_add_filter_gzip, (struct archive * a), (a))
STRATA_LAZY_FUNCTION(libarchive(), int, archive_write_set_format_pax_restricted, (struct archive * a), (a))
STRATA_LAZY_FUNCTION(libarchive(), int, archive_write_set_bytes_in_last_block, (struct archive * a, int bytes),
                     (a, bytes))
STRATA_LAZY_FUNCTION(libarchive(), int, archive_write_open,
                     (struct archive * a, void* data, archive_open_callback* open, archive_write_callback* write,
                      archive_close_callback* close),
                     (a, data, open, write, close))
STRATA_LAZY_FUNCTION(libarchive(), int, archive_write_header, (struct archive * a, struct archive_entry* entry),
                     (a, entry))
STRATA_LAZY_FUNCTION(libarchive(), la_ssize_t, archive_write_data, (struct archive * a, const void* buff, size_t size),
                     (a, buff, size))
STRATA_LAZY_FUNCTION(libarchive(), int, archive_write_close, (struct archive * a), (a))
STRATA_LAZY_FUNCTION(libarchive(), int, archive_free, (struct archive * a), (a))
STRATA_LAZY_FUNCTION(libarchive(), const char*, archive_error_string, (struct archive * a), (a))
STRATA_LAZY_FUNCTION(libarchive(), struct archive_entry*, archive_entry_new, (void), ())
STRATA_LAZY_FUNCTION(libarchive(), void, archive_entry_free, (struct archive_entry * e), (e))
STRATA_LAZY_FUNCTION(libarchive(), const char*, archive_entry_pathname, (struct archive_entry * e), (e))
STRATA_LAZY_FUNCTION(libarchive(), const char*, archive_entry_symlink, (struct archive_entry * e), (e))
STRATA_LAZY_FUNCTION(libarchive(), __LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e))
STRATA_LAZY_FUNCTION(libarchive(), __LA_MODE_T, archive_entry_perm, (struct archive_entry * e), (e))
STRATA_LAZY_FUNCTION(libarchive(), la_int64_t, archive_entry_size, (struct archive_entry * e), (e))
STRATA_LAZY_FUNCTION(libarchive(), void, archive_entry_set_pathname, (struct archive_entry * e, const char* path),
                     (e, path))
STRATA_LAZY_FUNCTION(libarchive(), void, archive_entry_set_symlink, (struct archive_entry * e, const char* target),
                     (e, target))
STRATA_LAZY_FUNCTION(libarchive(), void, archive_entry_set_filetype, (struct archive_entry * e, unsigned int type),
                     (e, type))
STRATA_LAZY_FUNCTION(libarchive(), void, archive_entry_set_perm, (struct archive_entry * e, __LA_MODE_T perm),
                     (e, perm))
STRATA_LAZY_FUNCTION(libarchive(), void, archive_entry_set_size, (struct archive_entry * e, la_int64_t size),
                     (e, size))
STRATA_LAZY_FUNCTION(libarchive(), void, archive_entry_set_mtime, (struct archive_entry * e, time_t t, long ns),
                     (e, t, ns))

}  // extern "C"
