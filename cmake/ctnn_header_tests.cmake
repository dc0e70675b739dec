# ctnn_add_header_tests(<target> <include-dir>): one generated translation unit per public
# header, including it twice, all built as one OBJECT library: every header stands alone and
# has include guards.
function(ctnn_add_header_tests target include_dir)
  file(GLOB_RECURSE headers RELATIVE ${include_dir} CONFIGURE_DEPENDS ${include_dir}/ctnn/*.hpp)
  set(sources)
  foreach(header ${headers})
    string(MAKE_C_IDENTIFIER ${header} id)
    set(src ${CMAKE_CURRENT_BINARY_DIR}/header_tests/${id}.cpp)
    file(CONFIGURE OUTPUT ${src} CONTENT "#include <${header}>\n#include <${header}>\n")
    list(APPEND sources ${src})
  endforeach()
  add_library(${target} OBJECT ${sources})
  target_link_libraries(${target} PRIVATE ctnn::ctnn)
endfunction()
