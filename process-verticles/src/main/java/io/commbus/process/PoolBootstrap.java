package io.commbus.process;

import io.commbus.process.child.ChildSpec;
import io.commbus.process.pool.PoolSpec;
import io.commbus.process.pool.RestartPolicy;
import io.commbus.process.pool.RuntimeDirectory;

import java.nio.file.Path;

/**
 * What a pool needs before its first child starts, made on a worker thread: its private
 * directory (with the Python SDK unpacked, for a Python pool) and its settings, resolved and
 * validated. Nothing is left behind when this fails.
 *
 * @param directory the pool's private directory
 * @param spec      the pool's settings
 */
record PoolBootstrap(RuntimeDirectory directory, PoolSpec spec) {

  /**
   * Blocking: creates the directory and resolves and validates the options; throws an
   * IllegalArgumentException naming the pool and the field for options that cannot work.
   */
  static PoolBootstrap prepare(PoolOptions pool, ProcessOptions configured, PythonProcessConfig python) {
    ProcessOptions base = configured != null ? configured : python.getProcess();
    RuntimeDirectory directory = RuntimeDirectory.create(base.getRuntimeDirectory(), pool.getName());
    try {
      ProcessOptions resolved = configured;
      if (python != null) {
        Path sdk = directory.extractPythonSdk();
        resolved = python.toProcessOptions(sdk);
      }
      resolved.validate();
      return new PoolBootstrap(directory, spec(pool, resolved));
    } catch (IllegalArgumentException e) {
      directory.delete();
      throw new IllegalArgumentException("pool " + pool.getName() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      directory.delete();
      throw e;
    }
  }

  private static PoolSpec spec(PoolOptions pool, ProcessOptions options) {
    ChildSpec child = ChildSpecs.of(pool.getName(), options);
    RestartPolicy restarts = new RestartPolicy(options.getInitialRestartDelay(), options.getMaxRestartDelay(),
        options.getMaxRestarts(), options.getStableAfter(), options.getGivenUpRetryInterval());
    return new PoolSpec(pool.getName(), pool.getType(), pool.getSize(), child, options.getMaxInFlight(),
        options.getMaxQueued(), options.getRequestTimeout(), restarts);
  }
}
