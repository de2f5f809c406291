// nessus-sim's network side: an http::Server whose handler asks the Simulator what to do and
// does it (delays, complete answers, streamed .nessus downloads (paced when slow), cut-off
// answers, resets, and outages during which the listening port refuses connections).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>

#include "http/server.hpp"
#include "sim/simulator.hpp"

namespace sw::sim {

class SimServer {
 public:
  SimServer(boost::asio::io_context& io, http::ServerOptions server_options, SimOptions options);
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  void start();  // throws core::Error when the port cannot be bound
  void stop();   // closes the listener and all connections, ends an outage in progress
  std::uint16_t port() const { return server_.port(); }

 private:
  boost::asio::awaitable<void> handle(const http::Request& request, http::Connection& connection);
  boost::asio::awaitable<void> run_outage(double seconds);

  boost::asio::io_context& io_;
  Simulator simulator_;
  http::Server server_;
  boost::asio::steady_timer outage_timer_;
  bool stopped_ = false;
};

// Epoch seconds now (the simulator's clock).
double epoch_seconds_now();

}  // namespace sw::sim
