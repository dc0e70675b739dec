# cmake -DSOURCE=examples/mcu -DBUILD=dir -DGENERATOR=Ninja -DTOOLCHAIN=cmake/arm-none-eabi.cmake
#       -DEMBED=ctnn-embed -DWEIGHTS=dir -P build_firmware.cmake
# Configures and builds the Cortex-M firmware (2 jobs: CI has 2 cores).
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${BUILD} -G ${GENERATOR} -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN}
                        -DCTNN_EMBED=${EMBED} -DCTNN_MCU_WEIGHTS_DIR=${WEIGHTS} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the firmware failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} --parallel 2 RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the firmware failed")
endif()
