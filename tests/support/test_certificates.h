#pragma once

// Throw-away TLS material for tests: a certificate authority, a broker certificate (for
// 127.0.0.1 and localhost by default), and a client certificate, both signed by that
// authority. They are
// made fresh with the openssl command line in a temporary directory (EC P-256 keys, valid
// for two days), so no key is ever kept in the repository. The destructor removes them.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace failover::testing {

// The openssl command line the certificates are made with.
inline constexpr const char* kOpensslExecutable = "/usr/bin/openssl";

// True when kOpensslExecutable exists and is executable.
bool opensslAvailable();

class TestCertificates {
 public:
  // The names a broker certificate has by default, as openssl subjectAltName entries.
  static constexpr const char* kLocalNames = "IP:127.0.0.1, DNS:localhost";

  // `authority_name` becomes the authority's common name, so that two sets made in one test
  // are told apart in certificate errors. `server_names` are the broker certificate's
  // subjectAltName entries. Nothing is generated before generate().
  explicit TestCertificates(std::string authority_name = "failover test CA",
                            std::string server_names = kLocalNames);
  ~TestCertificates();
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  // Generates all files. Returns false, with openssl's own output in `error`, when openssl
  // is missing or fails.
  bool generate(std::string& error);

  // PEM files; meaningful after a successful generate().
  std::filesystem::path caFile() const { return directory() / "ca.crt"; }
  std::filesystem::path serverCertFile() const { return directory() / "server.crt"; }
  std::filesystem::path serverKeyFile() const { return directory() / "server.key"; }
  std::filesystem::path clientCertFile() const { return directory() / "client.crt"; }
  std::filesystem::path clientKeyFile() const { return directory() / "client.key"; }

 private:
  bool run(const std::vector<std::string>& arguments, std::string& error) const;
  bool issue(const std::string& name, const std::string& common_name, const std::string& extensions,
             int serial, std::string& error) const;

  std::string authority_name_;
  std::string server_names_;
  // The directory the files are made in; empty when it could not be created.
  std::filesystem::path directory() const { return directory_ ? directory_->path() : ""; }

  std::optional<TempDir> directory_;
};

}  // namespace failover::testing
