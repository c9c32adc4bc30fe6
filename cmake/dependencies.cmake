# Standalone Asio: Debian ships the headers only, without a CMake package.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(asio INTERFACE)
add_library(asio::asio ALIAS asio)
target_include_directories(asio SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(asio INTERFACE Threads::Threads)

# The broker that tests, benchmarks and the lab start; Debian installs it in /usr/sbin.
find_program(MOSQUITTO_EXECUTABLE mosquitto HINTS /usr/sbin /usr/local/sbin)
