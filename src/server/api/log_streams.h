// LogStreams: `GET /api/v1/runs/{id}/logs?follow=true` (or `Accept: text/event-stream`) — a
// run's logs as server-sent events while it runs (DESIGN §11.3). One thread serves every open
// stream: about four times a second it sends what the store gained since (chunks in order per
// activity, status changes), a comment every 15 s keeps proxies from closing an idle stream,
// and an `end` event closes it when the run has ended and everything was sent. A stream holds
// a socket, not a thread. The events:
//   event: activity  data: {"id","stack","component","status"}
//   event: log       data: {"activity","stack","component","seq","text"}
//   event: end       data: {"status","status_reason"}
#pragma once

#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "control/control_plane.h"
#include "server/http_server.h"

namespace strata::server {

class LogStreams {
 public:
  explicit LogStreams(control::ControlPlane& control);
  ~LogStreams();  // ends every stream
  LogStreams(const LogStreams&) = delete;
  LogStreams& operator=(const LogStreams&) = delete;

  // Starts the event stream of run `run_id` (only `activity_id`'s when not empty).
  void follow(const std::string& run_id, const std::string& activity_id, Responder responder);
  size_t open_streams() const;

 private:
  struct Stream {
    std::string run_id;
    std::string activity_id;
    Responder responder;
    std::map<std::string, int64_t> sent_seq;        // activity → last seq sent
    std::map<std::string, std::string> sent_status;  // activity → last status sent
    std::chrono::steady_clock::time_point last_write;
  };
  // Sends what is new; false when the stream is over.
  bool pump(Stream& stream);
  void loop();

  control::ControlPlane& control_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::list<Stream> streams_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace strata::server
