// SQLite's entry points the store uses, loaded at the first call (base/lazy_library.h): a
// command that opens no server store never maps libsqlite3.
#include <sqlite3.h>

#include "base/lazy_library.h"

STRATA_LAZY_LIBRARY(libsqlite3, "libsqlite3.so.0", "libsqlite3-0")

extern "C" {

STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_open_v2, (const char* name, sqlite3** db, int flags, const char* vfs),
                     (name, db, flags, vfs))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_close, (sqlite3 * db), (db))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_busy_timeout, (sqlite3 * db, int ms), (db, ms))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_extended_result_codes, (sqlite3 * db, int on), (db, on))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_exec,
                     (sqlite3 * db, const char* sql, int (*callback)(void*, int, char**, char**), void* arg,
                      char** error),
                     (db, sql, callback, arg, error))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_prepare_v2,
                     (sqlite3 * db, const char* sql, int bytes, sqlite3_stmt** stmt, const char** tail),
                     (db, sql, bytes, stmt, tail))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_step, (sqlite3_stmt * stmt), (stmt))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_reset, (sqlite3_stmt * stmt), (stmt))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_clear_bindings, (sqlite3_stmt * stmt), (stmt))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_finalize, (sqlite3_stmt * stmt), (stmt))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_bind_int64, (sqlite3_stmt * stmt, int i, sqlite3_int64 v), (stmt, i, v))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_bind_null, (sqlite3_stmt * stmt, int i), (stmt, i))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_bind_text,
                     (sqlite3_stmt * stmt, int i, const char* text, int bytes, void (*destructor)(void*)),
                     (stmt, i, text, bytes, destructor))
STRATA_LAZY_FUNCTION(libsqlite3(), int, sqlite3_column_bytes, (sqlite3_stmt * stmt, int i), (stmt, i))
STRATA_LAZY_FUNCTION(libsqlite3(), sqlite3_int64, sqlite3_column_int64, (sqlite3_stmt * stmt, int i), (stmt, i))
STRATA_LAZY_FUNCTION(libsqlite3(), const unsigned char*, sqlite3_column_text, (sqlite3_stmt * stmt, int i), (stmt, i))
STRATA_LAZY_FUNCTION(libsqlite3(), sqlite3_int64, sqlite3_changes64, (sqlite3 * db), (db))
STRATA_LAZY_FUNCTION(libsqlite3(), const char*, sqlite3_errmsg, (sqlite3 * db), (db))
STRATA_LAZY_FUNCTION(libsqlite3(), const char*, sqlite3_errstr, (int code), (code))
STRATA_LAZY_FUNCTION(libsqlite3(), void, sqlite3_free, (void* p), (p))

}  // extern "C"
