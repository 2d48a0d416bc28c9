// libpq's entry points strata uses, loaded at the first call (base/lazy_library.h): a strata
// command that never talks to PostgreSQL never maps libpq and the libraries it brings.
#include <libpq-fe.h>

#include "base/lazy_library.h"

namespace {

strata::LazyLibrary& libpq() {
  static strata::LazyLibrary library("libpq.so.5", "libpq5");
  return library;
}

}  // namespace

extern "C" {

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values, int expand_dbname) {
  STRATA_LAZY_SYMBOL(libpq(), PQconnectdbParams);
  return real(keywords, values, expand_dbname);
}
void PQfinish(PGconn* conn) {
  STRATA_LAZY_SYMBOL(libpq(), PQfinish);
  real(conn);
}
PQconninfoOption* PQconninfoParse(const char* conninfo, char** errmsg) {
  STRATA_LAZY_SYMBOL(libpq(), PQconninfoParse);
  return real(conninfo, errmsg);
}
void PQconninfoFree(PQconninfoOption* options) {
  STRATA_LAZY_SYMBOL(libpq(), PQconninfoFree);
  real(options);
}
ConnStatusType PQstatus(const PGconn* conn) {
  STRATA_LAZY_SYMBOL(libpq(), PQstatus);
  return real(conn);
}
char* PQerrorMessage(const PGconn* conn) {
  STRATA_LAZY_SYMBOL(libpq(), PQerrorMessage);
  return real(conn);
}
int PQsocket(const PGconn* conn) {
  STRATA_LAZY_SYMBOL(libpq(), PQsocket);
  return real(conn);
}
PQnoticeProcessor PQsetNoticeProcessor(PGconn* conn, PQnoticeProcessor proc, void* arg) {
  STRATA_LAZY_SYMBOL(libpq(), PQsetNoticeProcessor);
  return real(conn, proc, arg);
}
PGresult* PQexec(PGconn* conn, const char* query) {
  STRATA_LAZY_SYMBOL(libpq(), PQexec);
  return real(conn, query);
}
PGresult* PQexecParams(PGconn* conn, const char* command, int n, const Oid* types, const char* const* values,
                       const int* lengths, const int* formats, int result_format) {
  STRATA_LAZY_SYMBOL(libpq(), PQexecParams);
  return real(conn, command, n, types, values, lengths, formats, result_format);
}
PGresult* PQprepare(PGconn* conn, const char* name, const char* query, int n, const Oid* types) {
  STRATA_LAZY_SYMBOL(libpq(), PQprepare);
  return real(conn, name, query, n, types);
}
PGresult* PQexecPrepared(PGconn* conn, const char* name, int n, const char* const* values, const int* lengths,
                         const int* formats, int result_format) {
  STRATA_LAZY_SYMBOL(libpq(), PQexecPrepared);
  return real(conn, name, n, values, lengths, formats, result_format);
}
int PQconsumeInput(PGconn* conn) {
  STRATA_LAZY_SYMBOL(libpq(), PQconsumeInput);
  return real(conn);
}
PGnotify* PQnotifies(PGconn* conn) {
  STRATA_LAZY_SYMBOL(libpq(), PQnotifies);
  return real(conn);
}
ExecStatusType PQresultStatus(const PGresult* res) {
  STRATA_LAZY_SYMBOL(libpq(), PQresultStatus);
  return real(res);
}
char* PQresultErrorMessage(const PGresult* res) {
  STRATA_LAZY_SYMBOL(libpq(), PQresultErrorMessage);
  return real(res);
}
char* PQresultErrorField(const PGresult* res, int fieldcode) {
  STRATA_LAZY_SYMBOL(libpq(), PQresultErrorField);
  return real(res, fieldcode);
}
int PQntuples(const PGresult* res) {
  STRATA_LAZY_SYMBOL(libpq(), PQntuples);
  return real(res);
}
char* PQcmdTuples(PGresult* res) {
  STRATA_LAZY_SYMBOL(libpq(), PQcmdTuples);
  return real(res);
}
char* PQgetvalue(const PGresult* res, int row, int field) {
  STRATA_LAZY_SYMBOL(libpq(), PQgetvalue);
  return real(res, row, field);
}
int PQgetlength(const PGresult* res, int row, int field) {
  STRATA_LAZY_SYMBOL(libpq(), PQgetlength);
  return real(res, row, field);
}
void PQclear(PGresult* res) {
  STRATA_LAZY_SYMBOL(libpq(), PQclear);
  real(res);
}
void PQfreemem(void* ptr) {
  STRATA_LAZY_SYMBOL(libpq(), PQfreemem);
  real(ptr);
}

}  // extern "C"
