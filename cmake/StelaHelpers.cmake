# stela_cc_library / stela_cc_test / stela_cc_bench / stela_cc_fuzzer and shared compile flags.

set(STELA_WARNINGS -Wall -Wextra -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports false -Wrestrict / -Wstringop-overflow on std::string concatenation at -O3
  # (GCC bug 105329); they would make -Werror builds fail on correct code.
  list(APPEND STELA_WARNINGS -Wno-restrict -Wno-stringop-overflow)
endif()
if(STELA_WERROR)
  list(APPEND STELA_WARNINGS -Werror)
endif()

if(STELA_SANITIZE STREQUAL "asan")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(STELA_SANITIZE STREQUAL "tsan")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT STELA_SANITIZE STREQUAL "")
  message(FATAL_ERROR "STELA_SANITIZE must be asan, tsan or empty, not '${STELA_SANITIZE}'")
endif()

if(STELA_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STELA_BUILD_FUZZ needs clang (CC=clang CXX=clang++)")
  endif()
  # Everything is instrumented for coverage; only fuzzer executables link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# stela_cc_library(NAME SRCS ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...] [INCLUDES ...])
function(stela_cc_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;PUBLIC_DEPS;PRIVATE_DEPS;INCLUDES" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${ARG_INCLUDES})
  target_compile_options(${name} PRIVATE ${STELA_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# stela_cc_test(NAME SRCS ... DEPS ...): one GoogleTest binary, tests discovered for ctest.
function(stela_cc_test name)
  if(NOT STELA_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${STELA_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  # Tests find checked-in test data (tests/testdata, tests/golden) through this path.
  target_compile_definitions(${name} PRIVATE STELA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60)
endfunction()

# stela_cc_bench(NAME SRCS ... DEPS ...): one Google Benchmark binary.
function(stela_cc_bench name)
  if(NOT STELA_BUILD_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${STELA_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
endfunction()

# stela_cc_fuzzer(NAME SRCS ... DEPS ...): a libFuzzer target, only with STELA_BUILD_FUZZ.
function(stela_cc_fuzzer name)
  if(NOT STELA_BUILD_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()

# stela_check_headers(TARGET DIR DEPS ...): compiles every public header under DIR on its own, so
# each includes what it uses (seastar's checkheaders). Built with the default target.
function(stela_check_headers target dir)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE headers RELATIVE ${dir} CONFIGURE_DEPENDS ${dir}/*.h)
  set(sources)
  foreach(h ${headers})
    string(MAKE_C_IDENTIFIER ${h} id)
    set(src ${CMAKE_CURRENT_BINARY_DIR}/check_headers/${id}.cc)
    file(CONFIGURE OUTPUT ${src} CONTENT "#include \"${h}\"  // must compile alone\n")
    list(APPEND sources ${src})
  endforeach()
  add_library(${target} OBJECT ${sources})
  target_compile_options(${target} PRIVATE ${STELA_WARNINGS})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
endfunction()
