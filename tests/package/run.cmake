# Installs ctnn from SOURCE_DIR into a fresh prefix under WORK_DIR, then configures, builds and
# runs tests/package/consumer twice: against the installed package (find_package(ctnn CONFIG
# REQUIRED), ctnn-embed imported as ctnn::ctnn-embed) and with ctnn as a subdirectory of the
# consumer (add_subdirectory, ctnn-embed built because the consumer's weights need it).
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()
set(common -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/ctnn ${common}
    -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_EXAMPLES=OFF -DCTNN_BUILD_BENCHMARKS=OFF -DBUILD_TESTING=OFF
    -DCMAKE_INSTALL_PREFIX=${prefix})
# the tools (ctnn-embed) are built and installed with the library; nothing else needs building
run(${CMAKE_COMMAND} --build ${WORK_DIR}/ctnn --target ctnn-embed)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/ctnn)
run(${prefix}/bin/ctnn-embed --help)
set(tiny_net ${SOURCE_DIR}/examples/embedded/tiny_net.safetensors)
foreach(how find_package add_subdirectory)
  if(how STREQUAL "find_package")
    set(ctnn_args -DCMAKE_PREFIX_PATH=${prefix})
  else()
    set(ctnn_args -DCTNN_SOURCE_DIR=${SOURCE_DIR})
  endif()
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/consumer -B ${WORK_DIR}/consumer_${how} ${common}
      -DCMAKE_BUILD_TYPE=Release -DTINY_NET=${tiny_net} ${ctnn_args})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer_${how})
  run(${WORK_DIR}/consumer_${how}/consumer)
endforeach()
