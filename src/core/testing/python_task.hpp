// A task.json as the Python worker wrote it (a completed untrusted scan): the tests of the
// task model and of the task store check that it reads and writes back unchanged.
#pragma once

namespace sw::core::testing {

inline constexpr const char* kPythonTaskJson =
    R"({"task_id": "ne_scan_20251201_143022_a1b2c3d4", "trace_id": "550e8400-e29b-41d4-a716-446655440000",
 "scan_type": "untrusted", "scanner_type": "nessus", "scanner_instance_id": "scanner1",
 "status": "completed",
 "payload": {"targets": "192.168.1.0/24", "name": "Network Scan", "description": "", "schema_profile": "brief"},
 "created_at": "2025-12-01T14:30:22.512345", "scanner_pool": "nessus",
 "started_at": "2025-12-01T14:30:25.001200", "completed_at": "2025-12-01T14:45:33.870001",
 "nessus_scan_id": 42, "error_message": null,
 "validation_stats": {"file_size_bytes": 2396672, "hosts_scanned": 254, "total_plugins": 3110,
   "auth_plugins_found": 0, "credentialed_status_raw": null,
   "severity_counts": {"critical": 3, "high": 12, "medium": 45, "low": 67, "info": 2983},
   "total_vulnerabilities": 127},
 "validation_warnings": [], "authentication_status": "not_applicable"})";

}  // namespace sw::core::testing
