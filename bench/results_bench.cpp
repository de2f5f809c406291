// Validation throughput benchmark: generates .nessus exports of about 50 MB, 250 MB and
// 1 GB (or the sizes given) with exportgen, validates each several times in a child
// process, and prints MB/s (median, min, max) of wall time, the median MB/s of CPU time
// (user+sys; meaningful on a busy machine), the same for expat alone with no handlers
// (the ceiling), and the child's peak RSS as a table and JSON.
//
// Usage: results_bench [--dir DIR] [--sizes-mb 50,250,1024] [--runs N]
#include <expat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "exportgen/export_writer.hpp"
#include "results/validator.hpp"

namespace {

constexpr int findings_per_host = 500;
constexpr std::size_t plugin_set_ids = 250000;  // ~1.7 MB single line, as in real exports

struct Measurement {
  double seconds = 0;
  double cpu_seconds = 0;
  long peak_rss_kib = 0;
  bool valid = false;
};

sw::exportgen::ExportSpec spec_for_hosts(std::size_t hosts) {
  sw::exportgen::ExportSpec spec;
  spec.scan_name = "benchmark";
  spec.plugin_set_size = plugin_set_ids;
  const sw::exportgen::HostAuth outcomes[] = {sw::exportgen::HostAuth::success,
                                              sw::exportgen::HostAuth::insufficient_privilege};
  for (std::size_t i = 0; i < hosts; ++i) {
    const std::string ip = "10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." +
                           std::to_string(i % 256);
    spec.hosts.push_back({ip, ip, outcomes[i % 2], findings_per_host});
  }
  return spec;
}

std::uint64_t generate(const std::filesystem::path& file, const sw::exportgen::ExportSpec& spec) {
  std::ofstream out(file, std::ios::binary);
  sw::exportgen::ExportWriter writer(spec);
  std::string piece;
  while (writer.next(piece)) {
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    piece.clear();
  }
  out.close();
  return std::filesystem::file_size(file);
}

// Hosts needed for about `megabytes`, from the size of a one-host export.
std::size_t hosts_for(double megabytes) {
  const std::size_t one = sw::exportgen::write_export(spec_for_hosts(1)).size();
  const std::size_t two = sw::exportgen::write_export(spec_for_hosts(2)).size();
  const double per_host = static_cast<double>(two - one);
  const double fixed = static_cast<double>(one) - per_host;
  return std::max<std::size_t>(1, static_cast<std::size_t>((megabytes * 1e6 - fixed) / per_host));
}

// expat with no handlers over the file: the baseline the validator is compared with.
bool parse_only(const std::filesystem::path& file) {
  XML_Parser parser = XML_ParserCreate(nullptr);
  std::FILE* stream = std::fopen(file.c_str(), "rb");
  bool ok = parser && stream;
  while (ok) {
    void* buffer = XML_GetBuffer(parser, 64 * 1024);
    const std::size_t n = std::fread(buffer, 1, 64 * 1024, stream);
    ok = XML_ParseBuffer(parser, static_cast<int>(n), n == 0) == XML_STATUS_OK;
    if (n == 0) break;
  }
  if (stream) std::fclose(stream);
  if (parser) XML_ParserFree(parser);
  return ok;
}

bool validate(const std::filesystem::path& file) {
  return sw::results::validate_export(file, sw::core::ScanType::authenticated).valid;
}

// One run of `work` in a child process, so that its peak RSS and CPU time are its own.
template <typename Work>
Measurement measure(const std::filesystem::path& file, Work work) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    const auto start = std::chrono::steady_clock::now();
    const bool valid = work(file);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string line = std::to_string(seconds) + " " + (valid ? "1" : "0") + "\n";
    const ssize_t written = write(fds[1], line.data(), line.size());
    _exit(written == static_cast<ssize_t>(line.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string text;
  char buffer[128];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("validation child failed");
  Measurement m;
  int valid = 0;
  std::istringstream(text) >> m.seconds >> valid;
  m.valid = valid == 1;
  m.peak_rss_kib = usage.ru_maxrss;
  auto to_seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  m.cpu_seconds = to_seconds(usage.ru_utime) + to_seconds(usage.ru_stime);
  return m;
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t half = values.size() / 2;
  return values.size() % 2 ? values[half] : (values[half - 1] + values[half]) / 2;
}

std::vector<double> parse_sizes(const std::string& text) {
  std::vector<double> sizes;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) sizes.push_back(std::stod(part));
  return sizes;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("results_bench." + std::to_string(getpid()));
  std::vector<double> sizes{50, 250, 1024};
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--dir") dir = argv[i + 1];
    else if (flag == "--sizes-mb") sizes = parse_sizes(argv[i + 1]);
    else if (flag == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::cerr << "usage: results_bench [--dir DIR] [--sizes-mb 50,250,1024] [--runs N]\n";
      return 2;
    }
  }
  std::filesystem::create_directories(dir);
  nlohmann::json report = nlohmann::json::array();
  std::printf("%10s %8s %6s %10s %10s %10s %10s %12s %12s %6s\n", "size_MB", "hosts", "runs", "MB/s_med", "min",
              "max", "cpu_MB/s", "expat_cpu", "peak_RSS_MB", "valid");
  for (double megabytes : sizes) {
    const auto spec = spec_for_hosts(hosts_for(megabytes));
    const auto file = dir / ("export_" + std::to_string(static_cast<int>(megabytes)) + "mb.nessus");
    const double size_mb = static_cast<double>(generate(file, spec)) / 1e6;
    std::vector<double> rates;
    std::vector<double> cpu_rates;
    std::vector<double> expat_rates;
    long peak_kib = 0;
    bool all_valid = true;
    for (int run = 0; run < runs; ++run) {
      const Measurement m = measure(file, validate);
      expat_rates.push_back(size_mb / measure(file, parse_only).cpu_seconds);
      rates.push_back(size_mb / m.seconds);
      cpu_rates.push_back(size_mb / m.cpu_seconds);
      peak_kib = std::max(peak_kib, m.peak_rss_kib);
      all_valid = all_valid && m.valid;
    }
    std::filesystem::remove(file);
    std::sort(rates.begin(), rates.end());
    const double median = median_of(rates);
    const double cpu_median = median_of(cpu_rates);
    const double expat_median = median_of(expat_rates);
    std::printf("%10.1f %8zu %6d %10.1f %10.1f %10.1f %10.1f %12.1f %12.1f %6s\n", size_mb, spec.hosts.size(), runs,
                median, rates.front(), rates.back(), cpu_median, expat_median, static_cast<double>(peak_kib) / 1024.0, all_valid ? "yes" : "NO");
    std::fflush(stdout);
    report.push_back({{"size_mb", size_mb},
                      {"hosts", spec.hosts.size()},
                      {"runs", runs},
                      {"mb_per_s", {{"median", median}, {"min", rates.front()}, {"max", rates.back()}}},
                      {"cpu_mb_per_s_median", cpu_median},
                      {"expat_only_cpu_mb_per_s_median", expat_median},
                      {"peak_rss_mb", static_cast<double>(peak_kib) / 1024.0},
                      {"valid", all_valid}});
  }
  std::filesystem::remove(dir);
  std::cout << report.dump() << '\n';
  return 0;
}
