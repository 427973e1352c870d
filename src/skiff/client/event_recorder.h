// Records core/v1 Events about objects, as Kubernetes' record.EventRecorder does: events are
// written asynchronously by one worker, and repeats of the same (object, type, reason, message)
// update count and lastTimestamp of the existing Event instead of creating a new one.
// Thread-safe; Record() never blocks on the API.
#pragma once

#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "skiff/base/time.h"
#include "skiff/client/client.h"

namespace skiff::client {

class EventRecorder {
 public:
  // `component` is the event source ("deployment-controller", "default-scheduler", ...).
  EventRecorder(Client* client, std::string component, std::string host = "",
                const base::Clock& clock = base::Clock::Real());
  ~EventRecorder();

  // `type` is "Normal" or "Warning".
  void Record(const boost::json::value& object, std::string_view type, std::string_view reason,
              std::string message);
  // Waits until everything recorded so far is written (tests).
  void Flush();

 private:
  struct Pending {
    boost::json::object involved;
    std::string ns, type, reason, message;
    absl::Time when;
  };
  void Run(std::stop_token stop);
  void Write(const Pending& p);

  Client* client_;
  std::string component_, host_;
  const base::Clock& clock_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  int in_flight_ = 0;          // guarded by mu_
  // (uid, type, reason, message) -> (event name, count); touched by the worker only.
  std::map<std::string, std::pair<std::string, int64_t>> seen_;
  std::jthread worker_;
};

}  // namespace skiff::client
