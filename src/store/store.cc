// The store's free functions: the clock, ids, and open_store's choice of implementation by URL.
#include "store/store.h"

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>

#include "model/error.h"
#include "store/json_list.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace strata::store {

StateVersion Store::put_state(const std::string& key, const std::string& data, Millis now) {
  auto [serial, lineage] = serial_and_lineage(data);
  return put_state_version(key, data, serial, lineage, now);
}

Millis now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string new_uuid() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw Error(ErrorKind::kEnvironment,
                "cannot read random bytes for a new id (OpenSSL RAND_bytes)");
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return text;
}

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

std::unique_ptr<Store> open_postgres_store(const std::string& url) {
  return std::make_unique<PgStore>(url);
}

std::unique_ptr<Store> open_store(const std::string& url) {
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return open_postgres_store(url);
  }
  std::string path = url;
  if (path.starts_with("sqlite://")) {
    path = path.substr(9);  // sqlite:///abs/path → /abs/path
  } else if (path.starts_with("sqlite:")) {
    path = path.substr(7);
  }
  if (path.empty()) {
    throw Error(ErrorKind::kUserInput, "the store URL '" + url + "' names no file", {},
                "pass sqlite:PATH or a path to the database file");
  }
  return open_sqlite_store(path);
}

}  // namespace strata::store
