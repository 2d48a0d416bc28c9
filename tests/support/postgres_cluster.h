// PostgresCluster: a throwaway PostgreSQL 15 cluster for tests — initdb into a temporary folder,
// started on a free port of 127.0.0.1 (its socket in the same folder), trust authentication for
// the user "strata". stop() and start() restart it (reconnect tests); the destructor stops it at
// once and removes the folder. A small watchdog process does the same if the test process dies
// without running the destructor (a crash, a ctest timeout), so no postgres is left behind.
//
// initdb refuses to run as root: as root the cluster belongs to the "postgres" user (Debian's
// server package creates it) and every server command runs through runuser.
#pragma once

#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/subprocess.h"
#include "base/temp_dir.h"
#include "tests/support/free_port.h"

namespace strata::testing {

class PostgresCluster {
 public:
  static constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";

  // Why no cluster can be started on this machine; "" when one can.
  static std::string unavailable() {
    std::string initdb = std::string(kBinDir) + "/initdb";
    if (!std::filesystem::exists(initdb)) {
      return initdb +
             " is missing (install the Debian package postgresql-15; "
             "scripts/bootstrap does)";
    }
    if (::geteuid() == 0 && !::getpwnam("postgres")) {
      return "running as root, but there is no 'postgres' user to run the server as";
    }
    return "";
  }

  // initdb and start; throws std::runtime_error with the tools' output when either fails.
  PostgresCluster() : dir_("pg_cluster") {
    if (::geteuid() == 0) {
      const passwd* postgres = ::getpwnam("postgres");
      if (!postgres || ::chown(dir_.path().c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
        throw std::runtime_error("cannot hand " + dir_.path() + " to the postgres user");
      }
    }
    run({tool("initdb"), "-D", data_dir(), "-A", "trust", "-U", "strata", "-E", "UTF8",
         "--locale=C", "--no-sync"});
    // A free port can be taken by someone else before the server binds it: try a few.
    for (int attempt = 1;; ++attempt) {
      port_ = free_port();
      try {
        start();
        break;
      } catch (const std::runtime_error&) {
        if (attempt == 3) throw;
      }
    }
    start_watchdog();
    create_database("strata_test");
  }

  ~PostgresCluster() {
    if (running_) {
      try {
        run({tool("pg_ctl"), "-D", data_dir(), "-m", "immediate", "-w", "stop"});
      } catch (const std::exception&) {
        // The watchdog tries again below.
      }
    }
    if (watchdog_ > 0) {
      ::close(lifeline_);
      int status = 0;
      ::waitpid(watchdog_, &status, 0);
    }
  }

  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  int port() const { return port_; }
  // What a store connects with; `password` is ignored by the trust authentication, which lets
  // a test check it never shows in a message.
  std::string url(const std::string& database = "strata_test",
                  const std::string& password = "") const {
    return "postgres://strata" + (password.empty() ? "" : ":" + password) +
           "@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  // CREATE DATABASE; `name` is [a-z0-9_]+.
  void create_database(const std::string& name) {
    PGconn* conn = PQconnectdb(url("postgres").c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
      error = PQerrorMessage(conn);
    } else {
      PGresult* result = PQexec(conn, ("CREATE DATABASE " + name).c_str());
      if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
      PQclear(result);
    }
    PQfinish(conn);
    if (!error.empty()) throw std::runtime_error("CREATE DATABASE " + name + ": " + error);
  }

  // A fast shutdown: clients get "terminating connection due to administrator command".
  void stop() {
    run({tool("pg_ctl"), "-D", data_dir(), "-m", "fast", "-w", "stop"});
    running_ = false;
  }

  // Starts it (again) on the same port.
  void start() {
    run({tool("pg_ctl"), "-D", data_dir(), "-l", dir_.file("server.log"), "-w", "-t", "60", "-o",
         "-p " + std::to_string(port_) + " -k " + dir_.path() +
             " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
             "-c synchronous_commit=off",
         "start"});
    running_ = true;
  }

 private:
  std::string data_dir() const { return dir_.file("data"); }
  static std::string tool(const char* name) { return std::string(kBinDir) + "/" + name; }

  // As the postgres user when root. Throws with the command's output when it fails.
  void run(std::vector<std::string> argv) const {
    if (::geteuid() == 0) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
    SubprocessOptions options;
    options.argv = argv;
    options.cwd = "/";  // the postgres user may not enter the test's working folder
    options.capture_stdout = true;
    options.capture_stderr = true;
    options.timeout = std::chrono::seconds(120);
    SubprocessResult result = Subprocess(options).run();
    if (!result.success()) {
      std::string command;
      for (const auto& arg : argv) command += (command.empty() ? "" : " ") + arg;
      throw std::runtime_error(command + " " + result.describe() + ":\n" + result.stdout_text +
                               result.stderr_text);
    }
  }


  // A shell that waits for this process to close the pipe (or to die), then stops the server
  // and removes the folder.
  void start_watchdog() {
    std::string as_postgres = ::geteuid() == 0 ? "/usr/sbin/runuser -u postgres -- " : "";
    std::string script = "read -r _; " + as_postgres + tool("pg_ctl") + " -D " + data_dir() +
                         " -m immediate -w stop >/dev/null 2>&1; rm -rf " + dir_.path();
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return;  // no watchdog; the destructor still stops it
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(pipe_fds[0], 0);
      ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(pipe_fds[0]);
    if (pid < 0) {
      ::close(pipe_fds[1]);
      return;
    }
    watchdog_ = pid;
    lifeline_ = pipe_fds[1];
  }

  TempDir dir_;
  int port_ = 0;
  bool running_ = false;
  pid_t watchdog_ = -1;
  int lifeline_ = -1;
};

}  // namespace strata::testing
