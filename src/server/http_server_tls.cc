// HTTPS: the TLS context and the TLS flavour of Session, kept apart from http_server.cc so
// that only this file pays for the Asio SSL headers.
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "server/http_connection.h"

namespace strata::http_internal {
namespace {

class TlsSession : public Session<beast::ssl_stream<beast::tcp_stream>> {
 public:
  using Session::Session;

 protected:
  // The handshake must finish within the read timeout too (a slowloris may stall it).
  void begin() override {
    lowest().expires_after(core_->options.read_timeout);
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = std::static_pointer_cast<TlsSession>(shared_from_this())](
                                beast::error_code ec) {
                              if (ec) {
                                self->core_->log(LogLevel::kDebug,
                                                 "http: TLS handshake failed: " + ec.message());
                                self->close_socket();
                                return;
                              }
                              self->read_request();
                            });
  }
};

}  // namespace

void start_tls_session(const std::shared_ptr<Core>& core, tcp::socket socket) {
  std::make_shared<TlsSession>(core, std::move(socket), *core->tls)->start();
}

std::shared_ptr<net::ssl::context> make_tls_context(const std::string& cert_file,
                                                    const std::string& key_file) {
  if (cert_file.empty() || key_file.empty())
    throw Error(ErrorKind::kUserInput, "HTTPS needs both a certificate and a key file",
                {}, "pass --tls-cert and --tls-key together");
  auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                       net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  beast::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec)
    throw Error(ErrorKind::kUserInput,
                "cannot use the TLS certificate " + cert_file + ": " + ec.message());
  context->use_private_key_file(key_file, net::ssl::context::pem, ec);
  if (ec)
    throw Error(ErrorKind::kUserInput, "cannot use the TLS key " + key_file + ": " + ec.message());
  return context;
}

}  // namespace strata::http_internal
