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
 * Reads several {@code .npy} inputs at once. Reading one is a copy out of the page cache, bound by
 * one core's copying speed, and the files are independent: on all cores they take about the time of
 * the largest. An error is the first file's in the order given, as if they had been read one by one.
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
                reads.add(pool.submit(() -> Tensor.readNpy(file)));
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
