#include "app/tar_layer.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "base/atomic_file.h"
#include "model/error.h"

namespace strata::app {

namespace fs = std::filesystem;

namespace {

constexpr size_t kBlock = 512;

void put_octal(char* field, size_t width, unsigned long long value) {
  // width includes the terminating NUL.
  std::string digits(width - 1, '0');
  for (size_t i = width - 1; i-- > 0 && value;) {
    digits[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  std::memcpy(field, digits.data(), width - 1);
  field[width - 1] = '\0';
}

struct Header {
  std::string name;
  char type = '0';  // '0' file, '5' dir, '2' symlink, 'x' pax
  unsigned mode = 0644;
  unsigned long long size = 0;
  std::string link;
};

void append_header(std::string& out, const Header& h) {
  char b[kBlock] = {};
  std::memcpy(b, h.name.data(), std::min<size_t>(h.name.size(), 100));
  put_octal(b + 100, 8, h.mode);
  put_octal(b + 108, 8, 0);  // uid
  put_octal(b + 116, 8, 0);  // gid
  put_octal(b + 124, 12, h.size);
  put_octal(b + 136, 12, static_cast<unsigned long long>(kLayerMtime));
  std::memset(b + 148, ' ', 8);
  b[156] = h.type;
  std::memcpy(b + 157, h.link.data(), std::min<size_t>(h.link.size(), 100));
  std::memcpy(b + 257, "ustar", 6);
  std::memcpy(b + 263, "00", 2);
  unsigned sum = 0;
  for (unsigned char c : b) sum += c;
  put_octal(b + 148, 7, sum);
  b[155] = ' ';
  out.append(b, kBlock);
}

void append_padded(std::string& out, const std::string& data) {
  out += data;
  if (size_t rem = data.size() % kBlock) out.append(kBlock - rem, '\0');
}

// One pax record, "LEN key=value\n", where LEN counts itself.
std::string pax_record(const std::string& key, const std::string& value) {
  size_t body = 1 + key.size() + 1 + value.size() + 1;
  size_t len = body + std::to_string(body).size();
  if (std::to_string(len).size() != std::to_string(body).size()) ++len;
  return std::to_string(len) + " " + key + "=" + value + "\n";
}

void append_entry(std::string& out, Header h, const std::string& data) {
  std::string pax;
  if (h.name.size() > 100) pax += pax_record("path", h.name);
  if (h.link.size() > 100) pax += pax_record("linkpath", h.link);
  if (!pax.empty()) {
    Header ph;
    ph.name = "PaxHeaders/" + h.name.substr(0, 80);
    ph.type = 'x';
    ph.size = pax.size();
    append_header(out, ph);
    append_padded(out, pax);
    h.name = h.name.substr(0, 100);
    h.link = h.link.substr(0, 100);
  }
  append_header(out, h);
  append_padded(out, data);
}

bool excluded(const std::string& rel, const std::vector<std::string>& exclude) {
  for (const auto& e : exclude)
    if (rel == e ||
        (rel.size() > e.size() && rel.compare(0, e.size(), e) == 0 && rel[e.size()] == '/'))
      return true;
  return false;
}

void pack_dir(std::string& out, const fs::path& dir, const std::string& rel_dir,
              const TarLayerOptions& o) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    names.push_back(e.path().filename().string());
  if (ec) throw file_error("list", dir.string(), ec.value());
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
    if (excluded(rel, o.exclude)) continue;
    fs::path p = dir / name;
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) throw file_error("read", p.string(), errno);
    Header h;
    h.name = (o.prefix.empty() ? "" : o.prefix + "/") + rel;
    h.mode = st.st_mode & 0777;
    if (S_ISDIR(st.st_mode)) {
      h.type = '5';
      h.name += "/";
      append_entry(out, h, "");
      pack_dir(out, p, rel, o);
    } else if (S_ISLNK(st.st_mode)) {
      h.type = '2';
      h.mode = 0777;
      h.link = fs::read_symlink(p).string();
      append_entry(out, h, "");
    } else if (S_ISREG(st.st_mode)) {
      std::string data = read_file(p.string());
      h.size = data.size();
      append_entry(out, h, data);
    }  // sockets, fifos and devices do not belong in an image
  }
}

}  // namespace

std::string build_tar_layer(const TarLayerOptions& o) {
  std::string out;
  if (!o.prefix.empty()) {
    // The parent folders of the prefix, so the layer extracts on an empty root.
    std::string sofar;
    for (size_t start = 0; start <= o.prefix.size();) {
      size_t slash = o.prefix.find('/', start);
      if (slash == std::string::npos) slash = o.prefix.size();
      sofar = o.prefix.substr(0, slash);
      Header h;
      h.name = sofar + "/";
      h.type = '5';
      h.mode = 0755;
      append_entry(out, h, "");
      start = slash + 1;
    }
  }
  pack_dir(out, o.source_dir, "", o);
  out.append(2 * kBlock, '\0');
  return out;
}

std::string gzip_deterministic(const std::string& data) {
  z_stream zs{};
  // 15 + 16: a gzip wrapper; zlib writes mtime 0, no name and the OS byte of its build.
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error(ErrorKind::kInternal, "zlib: deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&zs, data.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t n = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw Error(ErrorKind::kInternal, "zlib: deflate did not finish");
  out.resize(n);
  return out;
}

std::string sha256_digest(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (!EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr))
    throw Error(ErrorKind::kInternal, "openssl: sha256 failed");
  static const char* kHex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

}  // namespace strata::app
