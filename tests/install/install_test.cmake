# The installed shardsim, run from elsewhere (issue 15, item 2): `cmake --install` into a fresh prefix, then from
# a folder outside the checkout and the prefix: `presets` finds the installed topologies without --dir, `run` runs
# an installed example scenario and a user's scenario naming an installed topology, `check` passes on it.
# -DBUILD_DIR=... -DWORK=<a scratch folder>
file(REMOVE_RECURSE ${WORK})
set(prefix ${WORK}/prefix)
set(elsewhere ${WORK}/elsewhere)
file(MAKE_DIRECTORY ${elsewhere})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
foreach(f bin/shardsim share/shardsim/topologies/pi-nodes.toml share/shardsim/scenarios/seed-layer-4-batch6.toml
          share/man/man1/shardsim.1)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

function(expect_output name expected)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${elsewhere} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: exit ${rc}\n${out}\n${err}")
  endif()
  string(FIND "${out}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${name}: no '${expected}' in\n${out}")
  endif()
endfunction()

set(shardsim ${prefix}/bin/shardsim)
# Before: "--dir: 'topologies' is not a folder".
expect_output(presets "(installed with the binary)" ${shardsim} presets)
expect_output(presets-transformers "llama2-7b" ${shardsim} presets)
expect_output(presets-node-types "pi-nodes.toml:" ${shardsim} presets)
# The seed layer on 4 Pi 4: 1.466 ms (tests/golden/seed-layer-4-batch6.txt).
expect_output(run-installed "1.466 ms" ${shardsim} run ${prefix}/share/shardsim/scenarios/seed-layer-4-batch6.toml)
file(WRITE ${elsewhere}/mine.toml
     "topology = \"${prefix}/share/shardsim/topologies/pi4-4gb-star-4.toml\"\n[model]\npreset = \"seed-mlp\"\n"
     "[plan]\nnodes = 4\n[run]\nbatch = 6\n[expect]\ntoken_latency = { max = \"2 ms\" }\n")
expect_output(run-mine "\"schema_version\" : 1" ${shardsim} run mine.toml --format json)
expect_output(check-mine "1 passed, 0 failed" ${shardsim} check mine.toml --junit check.xml --strict)
expect_output(check-installed "0 failed" ${shardsim} check ${prefix}/share/shardsim/scenarios/seed-layer-4-batch6.toml)
file(REMOVE_RECURSE ${WORK})
