# cmake -DQEMU=qemu-system-arm -DELF=firmware.elf [-DEXPECT_STATUS=n] [-DEXPECT=regex]
#       [-DCHECK=mcu_reference -DNET=B -DWEIGHTS=dir -DLOG=file] -P run_firmware.cmake
# Runs a firmware on QEMU's mps2-an386 with semihosting; fails unless it exits with
# EXPECT_STATUS (0 by default) and prints EXPECT. With CHECK, its outputs must agree with the
# host's (mcu_reference check), and the same log with one output changed by about 1e-4 must
# not: the comparison compares.
execute_process(COMMAND ${QEMU} -machine mps2-an386 -nographic -monitor none -serial none
                        -semihosting-config enable=on,target=native -kernel ${ELF}
                TIMEOUT 120 RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT DEFINED EXPECT_STATUS)
  set(EXPECT_STATUS 0)
endif()
if(NOT "${status}" STREQUAL "${EXPECT_STATUS}")
  message(FATAL_ERROR "the firmware ended with status '${status}', expected ${EXPECT_STATUS}")
endif()
if(DEFINED EXPECT AND NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "the firmware did not print '${EXPECT}'")
endif()
if(DEFINED CHECK)
  file(WRITE ${LOG} "${out}")
  execute_process(COMMAND ${CHECK} check ${NET} ${WEIGHTS} ${LOG} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the firmware's outputs differ from the host's")
  endif()
  # Bits 12-15 of the first output's 23-bit mantissa: a change of 2^-11 to 2^-7, relative.
  string(REGEX MATCH "y ${NET} 0 0 0x[0-9a-f]+" line "${out}")
  if(NOT line)
    message(FATAL_ERROR "no first output in the log")
  endif()
  string(LENGTH "${line}" n)
  math(EXPR at "${n} - 4")
  string(SUBSTRING "${line}" ${at} 1 digit)
  set(other 0)
  if(digit STREQUAL "0")
    set(other 8)
  endif()
  string(SUBSTRING "${line}" 0 ${at} head)
  math(EXPR after "${at} + 1")
  string(SUBSTRING "${line}" ${after} -1 tail)
  string(REPLACE "${line}" "${head}${other}${tail}" changed "${out}")
  file(WRITE ${LOG}.changed "${changed}")
  execute_process(COMMAND ${CHECK} check ${NET} ${WEIGHTS} ${LOG}.changed RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    message(FATAL_ERROR "the comparison accepted an output changed by about 1e-4: it does not compare")
  endif()
endif()
