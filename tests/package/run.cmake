# Installs ctnn from SOURCE_DIR into a fresh prefix under WORK_DIR, then configures, builds and
# runs tests/package/consumer against it with find_package(ctnn CONFIG REQUIRED).
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/ctnn -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
    -DCTNN_BUILD_TESTS=OFF -DCTNN_BUILD_EXAMPLES=OFF -DBUILD_TESTING=OFF -DCMAKE_INSTALL_PREFIX=${prefix})
# the tools (ctnn-embed) are built and installed with the library; nothing else needs building
run(${CMAKE_COMMAND} --build ${WORK_DIR}/ctnn --target ctnn-embed)
run(${CMAKE_COMMAND} --install ${WORK_DIR}/ctnn)
run(${prefix}/bin/ctnn-embed --help)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/consumer -B ${WORK_DIR}/consumer -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
run(${WORK_DIR}/consumer/consumer)
