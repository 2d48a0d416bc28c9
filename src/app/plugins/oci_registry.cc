// registry: pushes the oci builder's image to a registry over the OCI distribution API. Each
// blob is checked first (HEAD) and uploaded only when the registry lacks it (POST, then one
// monolithic PUT); with mount_from the registry is asked to mount it from another repository
// instead. The manifest is PUT last, under the tag. Basic auth is sent when a username is given;
// a Bearer challenge (WWW-Authenticate) is answered by fetching a token from its realm.
#include "app/plugins/oci_registry.h"

#include <openssl/evp.h>

#include "app/http_client.h"
#include "app/oci_layout.h"
#include "app/plugin_options.h"
#include "app/plugin_table.h"

namespace strata::app {

namespace {

struct RegistryOptions {
  std::string address;
  std::string repository;
  std::string tag;
  bool insecure = false;
  std::string username, password;
  std::string mount_from;
};

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// key="value" pairs of a WWW-Authenticate challenge.
std::map<std::string, std::string> challenge_params(const std::string& header) {
  std::map<std::string, std::string> out;
  size_t i = header.find(' ');
  while (i != std::string::npos && i < header.size()) {
    size_t eq = header.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = header.substr(i, eq - i);
    key.erase(0, key.find_first_not_of(" ,"));
    std::string value;
    size_t next;
    if (eq + 1 < header.size() && header[eq + 1] == '"') {
      size_t close = header.find('"', eq + 2);
      value = header.substr(eq + 2, close - eq - 2);
      next = close == std::string::npos ? std::string::npos : close + 1;
    } else {
      next = header.find(',', eq);
      value = header.substr(eq + 1, next == std::string::npos ? std::string::npos : next - eq - 1);
    }
    out[key] = value;
    i = next;
  }
  return out;
}

class OciRegistry : public Registry {
 public:
  OciRegistry(RegistryOptions o, std::unique_ptr<HttpClient> http)
      : o_(std::move(o)), http_(std::move(http)) {}

  RegistryRef push(const PhaseContext& ctx, const Artifact& artifact) override {
    if (artifact.layout.empty())
      throw Error("the " + artifact.plugin + " builder made no OCI image to push", {},
                  "build with use = \"oci\", or drop the registry block");
    RegistryRef ref;
    ref.registry = o_.address;
    ref.repository = o_.repository.empty() ? artifact.image : o_.repository;
    ref.tag = o_.tag.empty() ? artifact.tag : o_.tag;
    ref.plugin = "registry";
    LayoutImage img = read_layout_image(artifact.layout, artifact.tag);
    std::vector<std::string> blobs;
    for (const auto& l : img.manifest.value("layers", nlohmann::json::array()))
      blobs.push_back(l.value("digest", ""));
    blobs.push_back(img.manifest["config"].value("digest", ""));
    for (const auto& digest : blobs) {
      if (push_blob(ref.repository, artifact.layout, digest, ctx))
        ++ref.blobs_uploaded;
      else
        ++ref.blobs_reused;
    }
    HttpRequest put{"PUT",
                    url("/v2/" + ref.repository + "/manifests/" + ref.tag),
                    {{"Content-Type", kManifestMediaType}},
                    img.manifest_text};
    HttpResponse r = send(put, ref.repository);
    if (r.status != 201 && r.status != 200) fail(put, r);
    ref.digest = r.header("docker-content-digest");
    if (ref.digest.empty()) ref.digest = img.manifest_digest;
    if (ref.digest != img.manifest_digest)
      throw Error("registry " + o_.address + " stored the manifest as " + ref.digest + ", not " +
                      img.manifest_digest,
                  {},
                  "the registry rewrote the manifest; check that it supports OCI image manifests");
    if (ctx.progress) ctx.progress("pushed " + ref.reference());
    return ref;
  }

 private:
  std::string url(const std::string& path) const {
    if (path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) return path;
    return (o_.insecure ? "http://" : "https://") + o_.address + path;
  }

  [[noreturn]] void fail(const HttpRequest& req, const HttpResponse& r) const {
    std::string hint;
    if (r.status == 401 || r.status == 403)
      hint = "check username and password (or the token) for " + o_.address;
    throw Error("registry " + o_.address + " answered " + std::to_string(r.status) + " to " +
                    req.method + " " + req.url.substr(req.url.find("/v2/")) +
                    (r.body.empty() ? "" : ": " + r.body.substr(0, 300)),
                {}, hint);
  }

  // Sends with the credentials known so far; on a challenge, gets them and sends once more.
  HttpResponse send(HttpRequest req, const std::string& repository) {
    if (!authorization_.empty())
      req.headers["Authorization"] = authorization_;
    else if (!o_.username.empty())
      req.headers["Authorization"] = "Basic " + base64(o_.username + ":" + o_.password);
    HttpResponse r = http_->send(req);
    if (r.status != 401) return r;
    std::string challenge = r.header("www-authenticate");
    if (challenge.rfind("Bearer", 0) == 0) {
      auto p = challenge_params(challenge);
      std::string scope = p.count("scope") ? p["scope"] : "repository:" + repository + ":pull,push";
      HttpRequest token{"GET", p["realm"] + "?service=" + p["service"] + "&scope=" + scope, {}, {}};
      if (!o_.username.empty())
        token.headers["Authorization"] = "Basic " + base64(o_.username + ":" + o_.password);
      HttpResponse t = http_->send(token);
      if (t.status != 200) fail(token, t);
      auto j = nlohmann::json::parse(t.body, nullptr, false);
      std::string value = j.is_object() ? j.value("token", j.value("access_token", "")) : "";
      if (value.empty())
        throw Error("the token server of " + o_.address + " answered without a token");
      authorization_ = "Bearer " + value;
    } else if (o_.username.empty()) {
      fail(req, r);
    } else {
      return r;  // Basic was sent and refused
    }
    req.headers["Authorization"] = authorization_;
    return http_->send(req);
  }

  // Uploads one blob unless the registry has it; true when it was uploaded.
  bool push_blob(const std::string& repo, const std::string& layout, const std::string& digest,
                 const PhaseContext& ctx) {
    HttpRequest head{"HEAD", url("/v2/" + repo + "/blobs/" + digest), {}, {}};
    HttpResponse h = send(head, repo);
    if (h.status == 200) return false;
    if (h.status != 404) fail(head, h);
    std::string start_path = "/v2/" + repo + "/blobs/uploads/";
    if (!o_.mount_from.empty()) start_path += "?mount=" + digest + "&from=" + o_.mount_from;
    HttpRequest start{"POST", url(start_path), {{"Content-Length", "0"}}, {}};
    HttpResponse s = send(start, repo);
    if (s.status == 201) return false;  // mounted from mount_from
    if (s.status != 202) fail(start, s);
    std::string location = s.header("location");
    if (location.empty())
      throw Error("registry " + o_.address + " started an upload without a Location");
    std::string data = read_blob(layout, digest);
    HttpRequest put{
        "PUT",
        url(location) + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest,
        {{"Content-Type", "application/octet-stream"}},
        std::move(data)};
    if (ctx.progress)
      ctx.progress("uploading " + digest.substr(0, 19) + " (" + std::to_string(put.body.size()) +
                   " bytes)");
    HttpResponse p = send(put, repo);
    if (p.status != 201) fail(put, p);
    return true;
  }

  RegistryOptions o_;
  std::unique_ptr<HttpClient> http_;
  std::string authorization_;
};

}  // namespace

std::unique_ptr<Registry> make_oci_registry_with_client(const PluginConfig& c, Diagnostics& d,
                                                        std::unique_ptr<HttpClient> http) {
  PluginOptions opt(c, d);
  RegistryOptions o;
  std::optional<std::string> address = opt.string("address");
  if (!address && !c.options.count("address"))
    opt.missing("address", "address = \"127.0.0.1:5000\"");
  o.address = address.value_or("");
  if (o.address.find("://") != std::string::npos)
    opt.error("address", "option \"address\" is a host[:port], without a scheme",
              "write address = \"" + o.address.substr(o.address.find("://") + 3) +
                  "\" (and insecure = true for http)");
  o.repository = opt.string("repository", "");
  o.tag = opt.string("tag", "");
  o.insecure = opt.boolean("insecure").value_or(false);
  o.username = opt.string("username", "");
  o.password = opt.string("password", "");
  o.mount_from = opt.string("mount_from", "");
  if (!opt.finish()) return nullptr;
  return std::make_unique<OciRegistry>(std::move(o), std::move(http));
}

std::unique_ptr<Registry> make_oci_registry(const PluginConfig& c, Diagnostics& d) {
  return make_oci_registry_with_client(c, d, make_curl_client());
}

}  // namespace strata::app
