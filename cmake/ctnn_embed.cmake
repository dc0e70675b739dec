# ctnn_embed_weights(<target> INPUT <file.safetensors> TYPE <model type> NAMESPACE <ns>
#                    [HEADER <name.hpp>] [INCLUDE <header>...])
#
# Compiles weights into <target>: at build time, ctnn-embed (the imported executable target
# ctnn::ctnn-embed, or the one ctnn's own build defines) turns INPUT into the header HEADER
# (<ns>.hpp by default), which <target> then includes as "HEADER". The header defines, in
# namespace NS, `using model_type = TYPE;`, `void load(model_type&)` and `model_type make()`.
# INCLUDE adds #include "<header>" lines to it (models built from your own layers). A relative
# INPUT is relative to the current source directory; the header is regenerated when INPUT or
# the tool changes. Shipped with ctnn's package (find_package(ctnn)) and defined by
# add_subdirectory(ctnn), where the tool is built only when a target needs it.
function(ctnn_embed_weights target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "INPUT;TYPE;NAMESPACE;HEADER" "INCLUDE")
  foreach(required INPUT TYPE NAMESPACE)
    if(NOT arg_${required})
      message(FATAL_ERROR "ctnn_embed_weights(${target}): ${required} is required")
    endif()
  endforeach()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ctnn_embed_weights(${target}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ctnn::ctnn-embed)
    message(FATAL_ERROR "ctnn_embed_weights(${target}): ctnn::ctnn-embed is missing: this ctnn was installed "
                        "without its tools (configure it with -DCTNN_BUILD_TOOLS=ON)")
  endif()
  if(NOT arg_HEADER)
    set(arg_HEADER ${arg_NAMESPACE}.hpp)
  endif()
  get_filename_component(input ${arg_INPUT} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/ctnn_embed/${target})
  set(includes)
  foreach(header IN LISTS arg_INCLUDE)
    list(APPEND includes --include ${header})
  endforeach()
  add_custom_command(
    OUTPUT ${dir}/${arg_HEADER}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ctnn::ctnn-embed --type ${arg_TYPE} --namespace ${arg_NAMESPACE} ${includes} ${input} ${dir}/${arg_HEADER}
    DEPENDS ctnn::ctnn-embed ${input}
    COMMENT "ctnn-embed: ${arg_INPUT} -> ${arg_HEADER}"
    VERBATIM)
  target_sources(${target} PRIVATE ${dir}/${arg_HEADER})
  target_include_directories(${target} PRIVATE ${dir})
endfunction()
