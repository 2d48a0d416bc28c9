// libpq's entry points strata uses, loaded at the first call (base/lazy_library.h): a strata
// command that never talks to PostgreSQL never maps libpq and the libraries it brings.
#include <libpq-fe.h>

#include "base/lazy_library.h"

STRATA_LAZY_LIBRARY(libpq, "libpq.so.5", "libpq5")

extern "C" {

STRATA_LAZY_FUNCTION(libpq(), PGconn*, PQconnectdbParams,
                     (const char* const* keywords, const char* const* values, int expand_dbname),
                     (keywords, values, expand_dbname))
STRATA_LAZY_FUNCTION(libpq(), void, PQfinish, (PGconn * conn), (conn))
STRATA_LAZY_FUNCTION(libpq(), PQconninfoOption*, PQconninfoParse,
                     (const char* conninfo, char** errmsg), (conninfo, errmsg))
STRATA_LAZY_FUNCTION(libpq(), void, PQconninfoFree, (PQconninfoOption * options), (options))
STRATA_LAZY_FUNCTION(libpq(), ConnStatusType, PQstatus, (const PGconn* conn), (conn))
STRATA_LAZY_FUNCTION(libpq(), char*, PQerrorMessage, (const PGconn* conn), (conn))
STRATA_LAZY_FUNCTION(libpq(), int, PQsocket, (const PGconn* conn), (conn))
STRATA_LAZY_FUNCTION(libpq(), PQnoticeProcessor, PQsetNoticeProcessor,
                     (PGconn * conn, PQnoticeProcessor proc, void* arg), (conn, proc, arg))
STRATA_LAZY_FUNCTION(libpq(), PGresult*, PQexec, (PGconn * conn, const char* query), (conn, query))
STRATA_LAZY_FUNCTION(libpq(), PGresult*, PQexecParams,
                     (PGconn * conn, const char* command, int n, const Oid* types,
                      const char* const* values, const int* lengths, const int* formats,
                      int result_format),
                     (conn, command, n, types, values, lengths, formats, result_format))
STRATA_LAZY_FUNCTION(libpq(), PGresult*, PQprepare,
                     (PGconn * conn, const char* name, const char* query, int n, const Oid* types),
                     (conn, name, query, n, types))
STRATA_LAZY_FUNCTION(libpq(), PGresult*, PQexecPrepared,
                     (PGconn * conn, const char* name, int n, const char* const* values,
                      const int* lengths, const int* formats, int result_format),
                     (conn, name, n, values, lengths, formats, result_format))
STRATA_LAZY_FUNCTION(libpq(), int, PQconsumeInput, (PGconn * conn), (conn))
STRATA_LAZY_FUNCTION(libpq(), PGnotify*, PQnotifies, (PGconn * conn), (conn))
STRATA_LAZY_FUNCTION(libpq(), ExecStatusType, PQresultStatus, (const PGresult* res), (res))
STRATA_LAZY_FUNCTION(libpq(), char*, PQresultErrorMessage, (const PGresult* res), (res))
STRATA_LAZY_FUNCTION(libpq(), char*, PQresultErrorField, (const PGresult* res, int fieldcode),
                     (res, fieldcode))
STRATA_LAZY_FUNCTION(libpq(), int, PQntuples, (const PGresult* res), (res))
STRATA_LAZY_FUNCTION(libpq(), char*, PQcmdTuples, (PGresult * res), (res))
STRATA_LAZY_FUNCTION(libpq(), char*, PQgetvalue, (const PGresult* res, int row, int field),
                     (res, row, field))
STRATA_LAZY_FUNCTION(libpq(), int, PQgetlength, (const PGresult* res, int row, int field),
                     (res, row, field))
STRATA_LAZY_FUNCTION(libpq(), void, PQclear, (PGresult * res), (res))
STRATA_LAZY_FUNCTION(libpq(), void, PQfreemem, (void* ptr), (ptr))

}  // extern "C"
