# Runs `shardsim run SCENARIO` and compares its text report with the GOLDEN file, byte for byte.
execute_process(COMMAND ${SHARDSIM} run ${SCENARIO} OUTPUT_VARIABLE actual ERROR_VARIABLE errors RESULT_VARIABLE code)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "shardsim run ${SCENARIO} exited with ${code}:\n${errors}")
endif()
if(NOT EXISTS ${GOLDEN})
  message(FATAL_ERROR "no golden report ${GOLDEN} for ${SCENARIO}: run tests/golden/update.sh")
endif()
file(READ ${GOLDEN} expected)
if(NOT actual STREQUAL expected)
  # ACTUAL is in the build tree, one file per scenario (never the source tree, and no clash under ctest -j).
  file(WRITE ${ACTUAL} "${actual}")
  message(FATAL_ERROR "the report of ${SCENARIO} differs from ${GOLDEN}.\n"
                      "Actual report written to ${ACTUAL}; compare with\n"
                      "  diff ${GOLDEN} ${ACTUAL}\n"
                      "If the change is intended, run tests/golden/update.sh and commit the new golden files.")
endif()
