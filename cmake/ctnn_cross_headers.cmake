# ctnn_cross_headers(<target>): gives <target> ctnn's headers and those of the header-only
# libraries it uses (Eigen, Boost.Hana, and nlohmann-json and Catch2 where installed), taken
# from the host, for a cross compiler. Boost, nlohmann and Catch2 live in /usr/include beside
# the host's C library, whose headers must not reach a cross compiler, so they are reached
# through a folder of symbolic links holding only them.
function(ctnn_cross_headers target)
  find_path(CTNN_EIGEN_INCLUDE Eigen/Core PATHS /usr/include/eigen3 /usr/local/include/eigen3
            PATH_SUFFIXES eigen3 NO_CMAKE_FIND_ROOT_PATH REQUIRED)
  set(links ${CMAKE_BINARY_DIR}/ctnn_host_headers)
  foreach(lib boost/hana.hpp nlohmann/json.hpp catch2/catch.hpp)
    string(MAKE_C_IDENTIFIER "CTNN_HOST_${lib}" var)
    find_path(${var} ${lib} PATHS /usr/include /usr/local/include NO_CMAKE_FIND_ROOT_PATH)
    get_filename_component(dir ${lib} DIRECTORY)
    if(${var} AND NOT EXISTS ${links}/${dir})
      file(MAKE_DIRECTORY ${links})
      file(CREATE_LINK ${${var}}/${dir} ${links}/${dir} SYMBOLIC)
    endif()
  endforeach()
  if(NOT EXISTS ${links}/boost)
    message(FATAL_ERROR "ctnn: Boost.Hana's headers (boost/hana.hpp) were not found")
  endif()
  get_filename_component(ctnn_include ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../include ABSOLUTE)
  target_include_directories(${target} PRIVATE ${ctnn_include})
  target_include_directories(${target} SYSTEM PRIVATE ${CTNN_EIGEN_INCLUDE} ${links})
endfunction()
