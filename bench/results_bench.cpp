// Results benchmark, old path against new in the same run. Generates .nessus exports of
// about 50 MB and 250 MB (or the sizes given) with exportgen, then for each:
//   validation   validate_export read by expat (the previous path) and by the byte
//                scanner, and validate_and_index (byte scanner + results index, as the
//                worker runs it): MB/s of wall time (median, min, max), MB/s of CPU time,
//                peak RSS of the child process; expat alone with no handlers (its ceiling)
//   page         write_results of page 50 with a severity filter (severity=>=3) from the
//                whole export (the previous path) and through the index: milliseconds,
//                and whether both wrote the same bytes
//   scanctl      with --scanctl PATH, the same page as whole processes: `scanctl results
//                FILE --page 50 --filter severity=>=3`, with and without --no-index
// Every figure is measured in a child process (fork, or fork and exec), `--runs` times;
// medians and old/new ratios are printed as a table and JSON (the last line). A forked
// child's peak RSS starts from the bench's own resident memory, the same for each path.
//
// Usage: results_bench [--dir DIR] [--sizes-mb 50,250] [--runs N] [--scanctl PATH]
#include <expat.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "exportgen/export_writer.hpp"
#include "results/jsonl_results.hpp"
#include "results/results_index.hpp"
#include "results/validator.hpp"

namespace {

using nlohmann::json;
namespace results = sw::results;

constexpr int findings_per_host = 500;
constexpr std::size_t plugin_set_ids = 250000;  // ~1.7 MB single line, as in real exports
constexpr int bench_page = 50;

struct Measurement {
  double seconds = 0;
  double cpu_seconds = 0;
  long peak_rss_kib = 0;
};

sw::exportgen::ExportSpec spec_for_hosts(std::size_t hosts) {
  sw::exportgen::ExportSpec spec;
  spec.scan_name = "benchmark";
  spec.plugin_set_size = plugin_set_ids;
  const sw::exportgen::HostAuth outcomes[] = {sw::exportgen::HostAuth::success,
                                              sw::exportgen::HostAuth::insufficient_privilege};
  for (std::size_t i = 0; i < hosts; ++i) {
    const std::string ip =
        "10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
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

// expat with no handlers over the file: the ceiling of the expat path.
void parse_only(const std::filesystem::path& file) {
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
}

results::ResultsQuery page_query() {
  results::ResultsQuery query;
  query.filters = {results::parse_filter("severity=>=3")};
  query.page = bench_page;
  return query;
}

std::string page_output(const std::filesystem::path& file, results::ResultsPath path) {
  std::ostringstream out;
  results::write_results(file, page_query(), out, path);
  return out.str();
}

Measurement finished(pid_t pid, std::chrono::steady_clock::time_point start) {
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Measurement m;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("benchmark child failed");
  auto to_seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  m.cpu_seconds = to_seconds(usage.ru_utime) + to_seconds(usage.ru_stime);
  m.peak_rss_kib = usage.ru_maxrss;
  return m;
}

// One run of `work` in a child process, so that its peak RSS and CPU time are its own;
// the wall time includes the fork.
Measurement in_child(const std::function<bool()>& work) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) _exit(work() ? 0 : 1);
  return finished(pid, start);
}

// One run of a program with its output discarded: whole-process time.
Measurement program(const std::vector<std::string>& argv) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return finished(pid, start);
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t half = values.size() / 2;
  return values.size() % 2 ? values[half] : (values[half - 1] + values[half]) / 2;
}

json summary(const std::vector<double>& values) {
  return {{"median", median_of(values)},
          {"min", *std::min_element(values.begin(), values.end())},
          {"max", *std::max_element(values.begin(), values.end())}};
}

// Wall MB/s, CPU MB/s and peak RSS of `runs` runs of `work`.
json throughput(int runs, double size_mb, const std::function<bool()>& work) {
  std::vector<double> rates;
  std::vector<double> cpu_rates;
  long peak_kib = 0;
  for (int run = 0; run < runs; ++run) {
    const Measurement m = in_child(work);
    rates.push_back(size_mb / m.seconds);
    cpu_rates.push_back(size_mb / m.cpu_seconds);
    peak_kib = std::max(peak_kib, m.peak_rss_kib);
  }
  return {{"mb_per_s", summary(rates)},
          {"cpu_mb_per_s_median", median_of(cpu_rates)},
          {"peak_rss_mb", static_cast<double>(peak_kib) / 1024.0}};
}

// Milliseconds of wall time over `runs` runs of `measure`.
json milliseconds(int runs, const std::function<Measurement()>& measure) {
  std::vector<double> ms;
  for (int run = 0; run < runs; ++run) ms.push_back(measure().seconds * 1000.0);
  return summary(ms);
}

double ratio(const json& old_figure, const json& new_figure) {
  return old_figure.at("median").get<double>() / new_figure.at("median").get<double>();
}

std::vector<double> parse_sizes(const std::string& text) {
  std::vector<double> sizes;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) sizes.push_back(std::stod(part));
  return sizes;
}

json bench_size(const std::filesystem::path& dir, double megabytes, int runs, const std::string& scanctl) {
  const auto spec = spec_for_hosts(hosts_for(megabytes));
  const auto file = dir / ("export_" + std::to_string(static_cast<int>(megabytes)) + "mb.nessus");
  const double size_mb = static_cast<double>(generate(file, spec)) / 1e6;
  const auto type = sw::core::ScanType::authenticated;
  auto validate_with = [&](results::ExportReader reader) {
    results::ValidateOptions options;
    options.reader = reader;
    return [&file, options, type] { return results::validate_export(file, type, {}, options).valid; };
  };
  json validation = {
      {"expat", throughput(runs, size_mb, validate_with(results::ExportReader::expat))},
      {"byte_scan", throughput(runs, size_mb, validate_with(results::ExportReader::byte_scan))},
      {"byte_scan_and_index", throughput(runs, size_mb, [&] { return results::validate_and_index(file, type).valid; })},
      {"expat_only_cpu_mb_per_s_median", median_of([&] {
         std::vector<double> rates;
         for (int run = 0; run < runs; ++run)
           rates.push_back(size_mb / in_child([&] {
                                       parse_only(file);
                                       return true;
                                     }).cpu_seconds);
         return rates;
       }())}};
  validation["ratio"] = validation["byte_scan"]["mb_per_s"]["median"].get<double>() /
                        validation["expat"]["mb_per_s"]["median"].get<double>();
  const bool valid = results::validate_export(file, type).valid;

  const std::string whole = page_output(file, results::ResultsPath::whole_export);
  const std::string indexed = page_output(file, results::ResultsPath::indexed);  // builds the index if needed
  json page = {{"query", "page 50, severity=>=3"},
               {"same_bytes", whole == indexed},
               {"index_mb", static_cast<double>(std::filesystem::file_size(results::index_path(file))) / 1e6},
               {"whole_export_ms", milliseconds(runs,
                                                [&] {
                                                  return in_child([&] {
                                                    page_output(file, results::ResultsPath::whole_export);
                                                    return true;
                                                  });
                                                })},
               {"indexed_ms", milliseconds(runs, [&] {
                  return in_child([&] {
                    page_output(file, results::ResultsPath::indexed);
                    return true;
                  });
                })}};
  page["ratio"] = ratio(page["whole_export_ms"], page["indexed_ms"]);
  json report = {{"size_mb", size_mb}, {"hosts", spec.hosts.size()}, {"runs", runs},
                 {"valid", valid},     {"validation", validation},   {"page", page}};
  if (!scanctl.empty()) {
    const std::vector<std::string> argv{scanctl,    "results",     file.string(), "--page", std::to_string(bench_page),
                                        "--filter", "severity=>=3"};
    std::vector<std::string> no_index = argv;
    no_index.push_back("--no-index");
    json whole_process = {{"no_index_ms", milliseconds(runs, [&] { return program(no_index); })},
                          {"indexed_ms", milliseconds(runs, [&] { return program(argv); })}};
    whole_process["ratio"] = ratio(whole_process["no_index_ms"], whole_process["indexed_ms"]);
    report["scanctl_page"] = whole_process;
  }
  std::filesystem::remove(results::index_path(file));
  std::filesystem::remove(file);
  return report;
}

void print_row(const json& r) {
  const json& v = r["validation"];
  auto mbps = [&](const char* path) { return v[path]["mb_per_s"]["median"].get<double>(); };
  std::printf("%8.1f %5d %9.1f %9.1f %9.1f %6.2f %9.1f %6.1f %6.1f | %9.1f %8.2f %7.1f %4s", r["size_mb"].get<double>(),
              r["runs"].get<int>(), mbps("expat"), mbps("byte_scan"), mbps("byte_scan_and_index"),
              v["ratio"].get<double>(), v["expat_only_cpu_mb_per_s_median"].get<double>(),
              v["expat"]["peak_rss_mb"].get<double>(), v["byte_scan_and_index"]["peak_rss_mb"].get<double>(),
              r["page"]["whole_export_ms"]["median"].get<double>(), r["page"]["indexed_ms"]["median"].get<double>(),
              r["page"]["ratio"].get<double>(), r["page"]["same_bytes"].get<bool>() ? "yes" : "NO");
  if (r.contains("scanctl_page")) {
    const json& s = r["scanctl_page"];
    std::printf(" | %9.1f %8.2f %7.1f", s["no_index_ms"]["median"].get<double>(),
                s["indexed_ms"]["median"].get<double>(), s["ratio"].get<double>());
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("results_bench." + std::to_string(getpid()));
  std::vector<double> sizes{50, 250};
  int runs = 5;
  std::string scanctl;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--sizes-mb")
      sizes = parse_sizes(argv[i + 1]);
    else if (flag == "--runs")
      runs = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--scanctl")
      scanctl = argv[i + 1];
    else {
      std::cerr << "usage: results_bench [--dir DIR] [--sizes-mb 50,250] [--runs N] [--scanctl PATH]\n";
      return 2;
    }
  }
  std::filesystem::create_directories(dir);
  std::printf("%8s %5s %9s %9s %9s %6s %9s %6s %6s | %9s %8s %7s %4s%s\n", "size_MB", "runs", "expat", "scan",
              "scan+idx", "ratio", "expat_cpu", "RSS_e", "RSS_s", "page_old", "page_idx", "ratio", "same",
              scanctl.empty() ? "" : " | proc_old  proc_idx   ratio");
  std::printf("%8s %5s %9s %9s %9s %6s %9s %6s %6s | %9s %8s %7s\n", "", "", "MB/s", "MB/s", "MB/s", "", "MB/s", "MB",
              "MB", "ms", "ms", "");
  json report = json::array();
  for (double megabytes : sizes) {
    report.push_back(bench_size(dir, megabytes, runs, scanctl));
    print_row(report.back());
  }
  std::filesystem::remove(dir);
  std::cout << report.dump() << '\n';
  return 0;
}
