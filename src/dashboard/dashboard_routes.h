// The dashboard on the admin listener: GET /ui/<file> answers a file of
// dashboard/ (compiled in, or read from `dir` while developing: `pier serve
// --dashboard-dir dashboard`), and the dashboard's own paths (/, /plugins/...,
// /queues/..., /schedules, /running, /logs, /audit) answer index.html, so
// deep links and reloads work. Files are public (code, no data); what they
// show comes from /api/, which needs a session.
//
//   AddDashboardRoutes(admin.router());            // the compiled-in files
//   AddDashboardRoutes(admin.router(), "dashboard");
#pragma once

#include <filesystem>

#include "http/router.h"

namespace pier::dashboard {

void AddDashboardRoutes(http::Router& router, std::filesystem::path dir = {});

// The content type served for a file name ("app.js" -> "text/javascript; charset=utf-8").
std::string_view ContentTypeFor(std::string_view name);

}  // namespace pier::dashboard
