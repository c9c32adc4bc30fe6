#include "failover/config/loader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <sstream>

#include <sys/stat.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "failover/config/validate.h"
#include "yaml_reader.h"

namespace failover::config {
namespace {

LoadResult fileError(const std::string& file, std::string message, Position at = {}) {
  LoadResult result;
  result.errors.push_back({DiagnosticSeverity::Error, file, at, "", std::move(message)});
  return result;
}

// Position of a byte offset in `text`, 1-based, counting columns in bytes.
Position positionAt(std::string_view text, std::size_t offset) {
  Position at{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

// Offset of the first byte that breaks UTF-8 (or is NUL), or npos when the text is clean.
std::size_t firstInvalidByte(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == 0) {
      return i;
    }
    std::size_t length = 0;
    uint32_t code_point = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code_point = byte & 0x1Fu;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code_point = byte & 0x0Fu;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code_point = byte & 0x07u;
    } else {
      return i;
    }
    if (i + length > text.size()) {
      return i;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return i;
      }
      code_point = (code_point << 6) | (next & 0x3Fu);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

// Notes where each document starts and nothing else: used to find a second document without
// YAML::LoadAll, which loops forever on some malformed input (a stray ',' at the start) in
// yaml-cpp 0.7.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last_start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  YAML::Mark last_start = YAML::Mark::null_mark();
};

Position toPosition(const YAML::Mark& mark) {
  return mark.is_null() || mark.line < 0 || mark.column < 0
             ? Position{}
             : Position{mark.line + 1, mark.column + 1};
}

std::string tooLarge(std::size_t size) {
  return "the file is " + std::to_string(size) + " bytes; a configuration file may be at most " +
         std::to_string(kMaxConfigBytes) + " bytes (1 MiB)";
}

LoadResult parseAndValidate(std::string_view text, const std::string& file) {
  YAML::Node root;
  try {
    // Each parser call below handles exactly one document, so the parse always ends.
    std::istringstream stream{std::string(text)};
    root = YAML::Load(stream);
    std::istringstream again{std::string(text)};
    YAML::Parser parser(again);
    DocumentStarts starts;
    if (parser.HandleNextDocument(starts)) {
      const YAML::Mark first = starts.last_start;
      if (parser.HandleNextDocument(starts)) {
        // A "document" that starts where the first one did made no progress: yaml-cpp is
        // stuck on a character it cannot place.
        const bool stuck = starts.last_start.pos == first.pos;
        return fileError(file,
                         stuck ? "YAML syntax error: unexpected character"
                               : "the file holds more than one YAML document; use one",
                         toPosition(starts.last_start));
      }
    }
  } catch (const YAML::Exception& e) {
    return fileError(file, "YAML syntax error: " + e.msg, toPosition(e.mark));
  } catch (const std::exception& e) {
    return fileError(file, std::string("cannot parse: ") + e.what());
  }
  if (!root.IsDefined() || root.IsNull()) {
    return fileError(file, "the file holds no settings");
  }

  LoadResult result;
  try {
    ReadResult read = readConfig(root, file);
    result.errors = std::move(read.errors);
    // Values the reader could not read still get checked against their neighbours, but
    // are never reported twice.
    for (auto& diagnostic : validate(read.config, read.source)) {
      auto& list =
          diagnostic.severity == DiagnosticSeverity::Error ? result.errors : result.warnings;
      list.push_back(std::move(diagnostic));
    }
    result.config = std::move(read.config);
  } catch (const std::exception& e) {
    // The reader only uses non-throwing accessors; this is a last line of defence.
    return fileError(file, std::string("cannot read the settings: ") + e.what());
  }
  sortByPosition(result.errors);
  sortByPosition(result.warnings);
  if (result.errors.size() > kMaxReportedErrors) {
    result.errors.resize(kMaxReportedErrors);
    result.errors.push_back(
        {DiagnosticSeverity::Error, file, {}, "", "too many errors; stopped reporting"});
  }
  if (result.warnings.size() > kMaxReportedErrors) {
    result.warnings.resize(kMaxReportedErrors);
  }
  return result;
}

}  // namespace

LoadResult loadConfigString(std::string_view text, const std::string& display_name) {
  if (text.size() > kMaxConfigBytes) {
    return fileError(display_name, tooLarge(text.size()));
  }
  if (text.empty()) {
    return fileError(display_name, "the file is empty");
  }
  if (const auto bad = firstInvalidByte(text); bad != std::string_view::npos) {
    return fileError(display_name,
                     std::string("the file is not UTF-8 text (") +
                         (text[bad] == '\0' ? "NUL byte" : "invalid byte") + " at offset " +
                         std::to_string(bad) + ")",
                     positionAt(text, bad));
  }
  return parseAndValidate(text, display_name);
}

LoadResult loadConfigFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO by mistake must not wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return fileError(path, std::string("cannot open: ") + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return fileError(path, std::string("cannot read: ") + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) {
    return fileError(path, "is a directory, not a configuration file");
  }
  if (!S_ISREG(info.st_mode)) {
    return fileError(path, "is not a regular file");
  }
  if (static_cast<std::size_t>(info.st_size) > kMaxConfigBytes) {
    return fileError(path, tooLarge(static_cast<std::size_t>(info.st_size)));
  }

  // Read at most one byte past the limit: the file may grow between fstat and read.
  std::string text(kMaxConfigBytes + 1, '\0');
  std::size_t filled = 0;
  while (filled < text.size()) {
    const ssize_t got = ::read(fd, text.data() + filled, text.size() - filled);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return fileError(path, std::string("cannot read: ") + std::strerror(errno));
    }
    if (got == 0) {
      break;
    }
    filled += static_cast<std::size_t>(got);
  }
  if (filled > kMaxConfigBytes) {
    return fileError(path, "the file is larger than " + std::to_string(kMaxConfigBytes) +
                               " bytes (1 MiB), the limit for a configuration file");
  }
  text.resize(filled);
  return loadConfigString(text, path);
}

std::string summarize(const Config& config) {
  const auto count = [](std::size_t n, const char* singular, const char* plural) {
    return std::to_string(n) + " " + (n == 1 ? singular : plural);
  };
  return count(config.pairs.size(), "pair", "pairs") + ", " +
         count(config.machines.size(), "machine", "machines") + ", " +
         count(config.routers.size(), "router", "routers") +
         (config.cluster
              ? ", cluster " + config.cluster->id + " rank " + std::to_string(config.cluster->rank)
              : "");
}

}  // namespace failover::config
