// The worker's HTTP endpoint: GET /metrics (Prometheus text), GET /healthz (alive) and
// GET /readyz (Redis reachable and configuration loaded; 503 otherwise), all JSON but
// /metrics; other paths 404 and other methods 405, with a JSON error.
#pragma once

#include <functional>
#include <string>

#include "http/server.hpp"
#include "telemetry/metrics.hpp"

namespace sw::worker {

struct Readiness {
  bool ready = false;
  std::string detail;
};

// A handler for http::Server. `readiness` is asked on every /readyz request.
http::Handler make_status_handler(const telemetry::Metrics& metrics, std::function<Readiness()> readiness);


}  // namespace sw::worker
