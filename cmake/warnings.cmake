# Warning flags for our own targets only: link failover_warnings PRIVATE. -Wnull-dereference
# is left out: at -O3 GCC 12 reports it inside Asio's inlined scheduler, which we cannot fix.
add_library(failover_warnings INTERFACE)
target_compile_options(failover_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Woverloaded-virtual -Wimplicit-fallthrough
  # GCC 12 at -O3 reports -Wrestrict inside std::string concatenation (GCC bug 105329).
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)
if(FAILOVER_WARNINGS_AS_ERRORS)
  target_compile_options(failover_warnings INTERFACE -Werror)
endif()

# Every library of ours sees the public headers under include/.
function(failover_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC} PRIVATE failover_warnings ${ARG_PRIVATE})
endfunction()
