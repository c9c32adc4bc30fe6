#include "support/test_certificates.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/prctl.h>
#include <sys/wait.h>

namespace failover::testing {
namespace {

// Extensions for each kind of certificate. The broker's names are added to the last
// section; a client checks the host in its URI against them (not against the common name).
constexpr const char* kOpensslConfig = R"([req]
distinguished_name = subject
[subject]
[authority]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
)";

constexpr auto kOpensslTimeout = std::chrono::seconds(10);

std::string readAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

bool opensslAvailable() {
  return ::access(kOpensslExecutable, X_OK) == 0;
}

TestCertificates::TestCertificates(std::string authority_name, std::string server_names)
    : authority_name_(std::move(authority_name)),
      server_names_(std::move(server_names)),
      directory_(TempDir::tryCreate("failover-tls")) {}

TestCertificates::~TestCertificates() = default;

bool TestCertificates::generate(std::string& error) {
  if (!opensslAvailable()) {
    error = std::string(kOpensslExecutable) + " is not available";
    return false;
  }
  if (!directory_) {
    error = "cannot create a temporary directory";
    return false;
  }
  std::ofstream(directory() / "openssl.cnf")
      << kOpensslConfig << "subjectAltName = " << server_names_ << "\n";
  // A self-signed authority, then two certificates it signs.
  return run({"req", "-x509", "-config", "openssl.cnf", "-extensions", "authority", "-newkey", "ec",
              "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out",
              "ca.crt", "-days", "2", "-subj", "/CN=" + authority_name_},
             error) &&
         issue("server", "failover test broker", "server", 1, error) &&
         issue("client", "failover-node", "client", 2, error);
}

bool TestCertificates::issue(const std::string& name, const std::string& common_name,
                             const std::string& extensions, int serial, std::string& error) const {
  return run({"req", "-new", "-config", "openssl.cnf", "-newkey", "ec", "-pkeyopt",
              "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key", "-out",
              name + ".csr", "-subj", "/CN=" + common_name},
             error) &&
         run({"x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
              "-set_serial", std::to_string(serial), "-days", "2", "-extfile", "openssl.cnf",
              "-extensions", extensions, "-out", name + ".crt"},
             error);
}

// Runs openssl in the directory with its output in a log file, which becomes the error
// text when it fails.
bool TestCertificates::run(const std::vector<std::string>& arguments, std::string& error) const {
  // Made before the fork: the child may not allocate.
  const auto directory_path = directory();
  const auto log_path = directory_path / "openssl.log";
  std::vector<std::string> argv{kOpensslExecutable};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  std::vector<char*> raw;
  for (auto& arg : argv) {
    raw.push_back(arg.data());
  }
  raw.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) {
    error = "fork failed";
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd < 0 || log_fd < 0 || ::chdir(directory_path.c_str()) != 0) {
      ::_exit(126);
    }
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(raw[0], raw.data());
    ::_exit(127);
  }

  const auto deadline = std::chrono::steady_clock::now() + kOpensslTimeout;
  int status = 0;
  pid_t reaped = 0;
  while ((reaped = ::waitpid(pid, &status, WNOHANG)) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (reaped == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    error = "openssl " + arguments.front() + " did not finish within 10 s";
    return false;
  }
  if (reaped < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = "openssl " + arguments.front() + " failed: " + readAll(log_path);
    return false;
  }
  return true;
}

}  // namespace failover::testing
