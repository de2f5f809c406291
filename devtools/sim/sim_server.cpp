// SimServer: carries out the Simulator's replies on connections (see sim_server.hpp).
#include "sim/sim_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "exportgen/export_writer.hpp"
#include "telemetry/log.hpp"

namespace sw::sim {

namespace asio = boost::asio;

namespace {

http::ResponseHead head_of(const http::Response& response) {
  http::ResponseHead head{response.result(), response.version()};
  for (const auto& field : response) {
    head.set(field.name_string(), field.value());
  }
  return head;
}

void log_outage_failure(std::exception_ptr failure) {
  if (!failure) {
    return;
  }
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    telemetry::log_error("nessus-sim outage failed", {{"error", e.what()}});
  }
}

}  // namespace

double epoch_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

SimServer::SimServer(asio::io_context& io, http::ServerOptions server_options, SimOptions options)
    : io_(io),
      simulator_(std::move(options)),
      server_(
          io, std::move(server_options),
          [this](const http::Request& request, http::Connection& connection) { return handle(request, connection); }),
      outage_timer_(io) {}

void SimServer::start() {
  stopped_ = false;
  server_.start();
}

void SimServer::stop() {
  stopped_ = true;
  outage_timer_.cancel();
  server_.stop();
}

asio::awaitable<void> SimServer::handle(const http::Request& request, http::Connection& connection) {
  struct InFlight {  // a Nessus API request, from its arrival until its answer is sent
    Simulator* simulator;
    explicit InFlight(Simulator* counted) : simulator(counted) {
      if (simulator) simulator->request_began();
    }
    ~InFlight() {
      if (simulator) simulator->request_ended();
    }
  } in_flight(request.target().starts_with("/__sim/") ? nullptr : &simulator_);
  Reply reply = simulator_.handle(request, epoch_seconds_now());
  if (reply.delay.count() > 0) {
    asio::steady_timer delay(io_, reply.delay);
    co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  switch (reply.kind) {
    case Reply::Kind::respond:
      co_await connection.send(std::move(reply.response));
      break;
    case Reply::Kind::stream_download: {
      exportgen::ExportWriter writer(std::move(reply.download));
      co_await connection.send_stream(
          head_of(reply.response), [&writer](std::string& out) { return writer.next(out); },
          reply.download_bytes_per_second);
      break;
    }
    case Reply::Kind::head_then_close:
      co_await connection.send_head_and_close(head_of(reply.response));
      break;
    case Reply::Kind::reset:
      connection.reset();
      break;
  }
  if (reply.outage_seconds > 0) {
    asio::co_spawn(io_, run_outage(reply.outage_seconds), log_outage_failure);
  }
}

asio::awaitable<void> SimServer::run_outage(double seconds) {
  telemetry::log_info("nessus-sim outage begins", {{"seconds", seconds}});
  server_.stop();
  outage_timer_.expires_after(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds)));
  co_await outage_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!stopped_) {
    server_.start();
    telemetry::log_info("nessus-sim outage ends", {{"port", server_.port()}});
  }
}

}  // namespace sw::sim
