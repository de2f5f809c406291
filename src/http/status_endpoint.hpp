// A program's status endpoint (the worker's METRICS_ADDR listener): GET /metrics (Prometheus
// text), GET /healthz (alive) and GET /readyz (the program's own readiness; 503 when not
// ready), all JSON but /metrics; other paths 404 and other methods 405, with a JSON error.
#pragma once

#include <functional>
#include <string>

#include "http/server.hpp"

namespace sw::http {

struct Readiness {
  bool ready = false;
  std::string detail;
};

// A handler for http::Server. `metrics` gives the Prometheus text on every /metrics request,
// `readiness` is asked on every /readyz request.
Handler make_status_handler(std::function<std::string()> metrics, std::function<Readiness()> readiness);

}  // namespace sw::http
