// Event-loop stall benchmark of export storage: streams an export of SIZE MiB in the HTTP
// transport's 64 KiB chunks into scan_native.nessus (1) through nessus::ExportFile, whose
// writes and fsync run on a strand of a file-work pool, and (2) with store::AtomicFileWriter called on
// the event loop (what the client did before: write() between socket reads, fsync at the
// end). A 1 ms ticker on the same loop records how late it ran: the longest lateness is the
// longest time the loop could not serve any other scan. Prints the largest and 99th
// percentile lateness and the MB/s of each way, as a table and JSON.
//
// Usage: export_sink_bench [--dir DIR] [--size-mb 512] [--runs 3]
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nessus/export_file.hpp"
#include "store/files.hpp"

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr std::size_t kChunk = 64 * 1024;

struct Run {
  double seconds = 0;
  double max_lateness_ms = 0;
  double p99_lateness_ms = 0;
};

// Ticks every millisecond until `done`, recording how late each tick ran.
asio::awaitable<void> tick(const bool& done, std::vector<double>& lateness_ms) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!done) {
    const auto due = Clock::now() + std::chrono::milliseconds(1);
    timer.expires_at(due);
    co_await timer.async_wait(asio::use_awaitable);
    lateness_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
  }
}

// Each chunk, then a yield to the loop (as a socket read would), then the end of the body.
asio::awaitable<void> through_export_file(std::filesystem::path path, std::string chunk, std::size_t chunks,
                                          bool& done) {
  const auto loop = co_await asio::this_coro::executor;
  asio::thread_pool files(1);
  sw::nessus::ExportFile sink(path, files.get_executor());
  for (std::size_t i = 0; i < chunks; ++i) {
    co_await sink.write(chunk);
    co_await asio::post(loop, asio::use_awaitable);
  }
  co_await sink.finish();
  done = true;
}

asio::awaitable<void> on_the_loop(std::filesystem::path path, std::string chunk, std::size_t chunks, bool& done) {
  const auto loop = co_await asio::this_coro::executor;
  sw::store::AtomicFileWriter file(path);
  for (std::size_t i = 0; i < chunks; ++i) {
    file.append(chunk);
    co_await asio::post(loop, asio::use_awaitable);
  }
  file.commit();
  done = true;
}

template <typename Storage>
Run measure(Storage storage, const std::filesystem::path& path, std::size_t size_mb) {
  asio::io_context io;
  bool done = false;
  std::vector<double> lateness;
  const std::string chunk(kChunk, 'x');
  const std::size_t chunks = size_mb * 1024 * 1024 / kChunk;
  const auto started = Clock::now();
  auto writing = asio::co_spawn(io, storage(path, chunk, chunks, done), asio::use_future);
  auto ticking = asio::co_spawn(io, tick(done, lateness), asio::use_future);
  io.run();
  writing.get();
  ticking.get();
  Run run;
  run.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::sort(lateness.begin(), lateness.end());
  if (!lateness.empty()) {
    run.max_lateness_ms = lateness.back();
    run.p99_lateness_ms = lateness[lateness.size() * 99 / 100];
  }
  std::filesystem::remove(path);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  std::size_t size_mb = 512;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--dir") {
      dir = argv[i + 1];
    } else if (option == "--size-mb") {
      size_mb = std::stoul(argv[i + 1]);
    } else if (option == "--runs") {
      runs = std::stoi(argv[i + 1]);
    } else {
      std::cerr << "usage: export_sink_bench [--dir DIR] [--size-mb N] [--runs N]\n";
      return 2;
    }
  }
  const auto path = dir / "scan_native.nessus";
  nlohmann::json results = nlohmann::json::array();
  std::printf("%-12s %8s %10s %14s %14s\n", "storage", "MiB", "MB/s", "max stall ms", "p99 stall ms");
  for (int run = 0; run < runs; ++run) {
    for (const bool threaded : {true, false}) {
      const auto result = threaded ? measure(through_export_file, path, size_mb) : measure(on_the_loop, path, size_mb);
      const char* name = threaded ? "ExportFile" : "on-the-loop";
      const double mb_per_s = static_cast<double>(size_mb) * 1.048576 / result.seconds;
      std::printf("%-12s %8zu %10.0f %14.2f %14.2f\n", name, size_mb, mb_per_s, result.max_lateness_ms,
                  result.p99_lateness_ms);
      results.push_back({{"storage", name},
                         {"size_mib", size_mb},
                         {"mb_per_s", mb_per_s},
                         {"max_stall_ms", result.max_lateness_ms},
                         {"p99_stall_ms", result.p99_lateness_ms}});
    }
  }
  std::cout << results.dump() << "\n";
  return 0;
}
