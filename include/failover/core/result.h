#pragma once

// Status and Result<T>: the error type of every module edge that can fail on outside input.
// A Status is a code plus a human-readable message; OK carries no message. Result<T> holds
// either a value or a non-OK Status. Both are [[nodiscard]]: every error return is checked.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace failover::core {

class [[nodiscard]] Status {
 public:
  enum class Code {
    Ok,
    InvalidArgument,  // the caller's input is malformed
    NotFound,         // a file, machine, pair or router that does not exist
    Unavailable,      // a peer cannot be reached or is not ready
    Timeout,          // a deadline passed before the peer answered
    Refused,          // the peer answered no (NAK, lock, connection refused)
    Internal,         // a broken invariant of ours
  };

  Status() = default;
  static Status ok() { return Status(); }
  static Status invalidArgument(std::string message) {
    return {Code::InvalidArgument, std::move(message)};
  }
  static Status notFound(std::string message) { return {Code::NotFound, std::move(message)}; }
  static Status unavailable(std::string message) { return {Code::Unavailable, std::move(message)}; }
  static Status timeout(std::string message) { return {Code::Timeout, std::move(message)}; }
  static Status refused(std::string message) { return {Code::Refused, std::move(message)}; }
  static Status internal(std::string message) { return {Code::Internal, std::move(message)}; }

  bool isOk() const { return code_ == Code::Ok; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  friend bool operator==(const Status&, const Status&) = default;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::Ok;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : value_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(value_).isOk() && "a Result built from a Status must be an error");
  }

  bool isOk() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return isOk(); }

  // REQUIRES: isOk().
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // OK when a value is held.
  Status status() const { return isOk() ? Status::ok() : std::get<Status>(value_); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace failover::core
