#include "server/api/log_streams.h"

#include <nlohmann/json.hpp>

#include "control/worker_protocol.h"

namespace strata::server {

namespace {

std::string event(const char* name, const nlohmann::json& data) {
  return std::string("event: ") + name + "\ndata: " + control::dump_json(data) + "\n\n";
}

bool finished(const std::string& status) {
  return status == "succeeded" || status == "failed" || status == "cancelled";
}

}  // namespace

LogStreams::LogStreams(control::ControlPlane& control) : control_(control) {}

LogStreams::~LogStreams() {
  std::list<Stream> left;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    left.swap(streams_);
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (Stream& s : left) s.responder.close();
}

size_t LogStreams::open_streams() const {
  std::lock_guard lock(mutex_);
  return streams_.size();
}

void LogStreams::follow(const std::string& run_id, const std::string& activity_id, Responder responder) {
  if (!responder.start_stream(200, {{"Content-Type", "text/event-stream"},
                                    {"Cache-Control", "no-cache"},
                                    {"X-Accel-Buffering", "no"}}))
    return;
  Stream stream{run_id, activity_id, std::move(responder), {}, {}, std::chrono::steady_clock::now()};
  // What is there already goes out at once, from this (io) thread; the rest from ours.
  if (!pump(stream)) {
    stream.responder.close();
    return;
  }
  std::lock_guard lock(mutex_);
  if (stopping_) {
    stream.responder.close();
    return;
  }
  streams_.push_back(std::move(stream));
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

bool LogStreams::pump(Stream& s) {
  if (!s.responder.open()) return false;
  store::Store& store = control_.store();
  std::optional<store::Run> run = store.run(s.run_id);
  if (!run) return false;
  // The run's status is read before its logs: when it says ended, every chunk is already in.
  bool ended = finished(run->status);
  std::string out;
  for (const store::Activity& a : store.activities(s.run_id)) {
    if (!s.activity_id.empty() && a.id != s.activity_id) continue;
    std::string& status = s.sent_status[a.id];
    if (status != a.status) {
      status = a.status;
      out += event("activity", {{"id", a.id}, {"stack", a.stack}, {"component", a.component}, {"status", a.status}});
    }
    auto seq = s.sent_seq.try_emplace(a.id, -1).first;
    for (const store::LogChunk& chunk : store.logs(a.id, seq->second)) {
      seq->second = chunk.seq;
      out += event("log", {{"activity", a.id},
                           {"stack", a.stack},
                           {"component", a.component},
                           {"seq", chunk.seq},
                           {"text", chunk.data}});
    }
  }
  if (ended) out += event("end", {{"status", run->status}, {"status_reason", run->status_reason}});
  auto now = std::chrono::steady_clock::now();
  if (out.empty() && now - s.last_write > std::chrono::seconds(15)) out = ": keep-alive\n\n";
  if (!out.empty()) {
    s.last_write = now;
    if (!s.responder.write(std::move(out))) return false;
  }
  return !ended;
}

void LogStreams::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    changed_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; });
    if (stopping_) break;
    // The streams are pumped outside the lock: follow() may add more meanwhile.
    std::list<Stream> batch;
    batch.swap(streams_);
    lock.unlock();
    for (auto it = batch.begin(); it != batch.end();) {
      bool more = false;
      try {
        more = pump(*it);
      } catch (const std::exception&) {
        more = true;  // the store is briefly unavailable: try again next time
      }
      if (more) {
        ++it;
      } else {
        it->responder.close();
        it = batch.erase(it);
      }
    }
    lock.lock();
    streams_.splice(streams_.begin(), batch);
  }
}

}  // namespace strata::server
