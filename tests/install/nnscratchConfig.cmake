# CMake package for nnscratch, copied by `make install` from
# tests/install/nnscratchConfig.cmake. In your CMakeLists.txt:
#   find_package(nnscratch REQUIRED)
#   target_link_libraries(your_program PRIVATE nnscratch::nn)
# and point CMake at the install prefix if it is not a standard one
# (cmake -DCMAKE_PREFIX_PATH=/that/prefix).
#
# Every path is worked out from where this file lies (PREFIX/lib/cmake/nnscratch/), not
# written in, so a prefix that is moved or copied elsewhere still works.

# The library uses std::thread, so a program linking it needs the platform's threads:
# Threads::Threads is -pthread where a flag is needed (we prefer it to -lpthread, as the
# library itself is built with -pthread) and nothing where libc has threads built in
# (glibc 2.34 and later). A project that has set the preference keeps its own.
if(NOT DEFINED THREADS_PREFER_PTHREAD_FLAG)
  set(THREADS_PREFER_PTHREAD_FLAG ON)
  set(_nnscratch_unset_prefer ON)
endif()
include(CMakeFindDependencyMacro)
find_dependency(Threads)
if(_nnscratch_unset_prefer)
  unset(THREADS_PREFER_PTHREAD_FLAG)
  unset(_nnscratch_unset_prefer)
endif()

# This file is in PREFIX/lib/cmake/nnscratch: three levels up is PREFIX.
get_filename_component(_nnscratch_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET nnscratch::nn)
  add_library(nnscratch::nn STATIC IMPORTED)
  set_target_properties(nnscratch::nn PROPERTIES
    IMPORTED_LOCATION "${_nnscratch_prefix}/lib/libnn.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_nnscratch_prefix}/include/nnscratch"
    INTERFACE_LINK_LIBRARIES Threads::Threads
    INTERFACE_COMPILE_FEATURES cxx_std_20)   # the headers are C++20
endif()

# Say clearly when the install is incomplete, instead of failing later at link time.
foreach(_nnscratch_file "lib/libnn.a" "include/nnscratch/nn.h")
  if(NOT EXISTS "${_nnscratch_prefix}/${_nnscratch_file}")
    set(nnscratch_FOUND FALSE)
    set(nnscratch_NOT_FOUND_MESSAGE
        "nnscratch's CMake package is in ${CMAKE_CURRENT_LIST_DIR}, but ${_nnscratch_prefix}/${_nnscratch_file} is missing: run `make install PREFIX=${_nnscratch_prefix}` again in the nnscratch folder.")
  endif()
endforeach()
unset(_nnscratch_file)
unset(_nnscratch_prefix)
