// The dashboard's pages as HTML, from the read model's values: login, overview, tasks,
// task, dead letters, and the page of an error. Values from tasks and scans are escaped;
// forms that change something carry the session's CSRF token.
#pragma once

#include <map>
#include <string>

#include "dashboard/read_model.hpp"

namespace sw::dashboard {

std::string login_page(const std::string& message);
std::string overview_page(const Overview& overview, const std::string& csrf);
// `query`: the filters as given (status, pool, target), kept in the page links.
std::string tasks_page(const TaskPage& page, const std::map<std::string, std::string>& query,
                       const config::ScannersConfig& scanners, const std::string& csrf);
// `query`: the findings filters as given (severity, host, plugin, cve), kept in the page links.
std::string task_page(const TaskDetail& detail, const FindingsPage& findings,
                      const std::map<std::string, std::string>& query, const std::string& notice,
                      const std::string& csrf);
std::string dead_letters_page(const DeadLetterPage& page, const config::ScannersConfig& scanners,
                              const std::string& notice, const std::string& csrf);
std::string error_page(const std::string& title, const std::string& message, const std::string& csrf);

}  // namespace sw::dashboard
