package dev.slicedattention.host;

import dev.slicedattention.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Opens several {@code .npy} inputs at once. A little-endian float32 C-order file is mapped
 * ({@link Tensor#mapNpy}: its values are read in place when they are checked and used, never copied
 * whole onto the heap); any other float file (float16, float64, big-endian, Fortran order) is read
 * and converted onto the heap, a copy bound by one core's speed, so the files are opened on
 * all cores and take about the time of the largest. An error is the first file's in the order
 * given, as if they had been opened one by one.
 */
final class TensorFiles {
    private TensorFiles() {}

    static Tensor[] readAll(Path... files) {
        int threads = Math.max(1, Math.min(files.length, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "read-npy");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Tensor>> reads = new ArrayList<>();
            for (Path file : files) {
                reads.add(pool.submit(() -> Tensor.mapNpy(file)));
            }
            Tensor[] tensors = new Tensor[files.length];
            for (int i = 0; i < files.length; i++) {
                tensors[i] = result(reads.get(i));
            }
            return tensors;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Tensor result(Future<Tensor> read) {
        try {
            return read.get();
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (failed.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading inputs", interrupted);
        }
    }
}
