package dev.slicedattention.tornado.coalescing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.IincInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.IntInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LineNumberNode;
import org.objectweb.asm.tree.LocalVariableAnnotationNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * A class loader that defines its own copy of the kernel classes with every global-memory access
 * reported to {@link AccessRecorder} (ASM): {@code FloatArray}/{@code IntArray} get and set become
 * static calls that also pass the call's site number, each store of a {@code @Parallel} loop index
 * (the variables TornadoVM itself finds by their type annotation) is followed by a report of the
 * new index and its loop's level, and {@code KernelContext}'s id fields, barrier and local-array
 * allocations are answered by the recorder. The copies are otherwise the kernels' own bytecode:
 * what is measured is the Java that TornadoVM compiles.
 */
public final class KernelInstrumenter extends ClassLoader {
    private static final String FLOAT_ARRAY = "uk/ac/manchester/tornado/api/types/arrays/FloatArray";
    private static final String INT_ARRAY = "uk/ac/manchester/tornado/api/types/arrays/IntArray";
    private static final String CONTEXT = "uk/ac/manchester/tornado/api/KernelContext";
    private static final String PARALLEL = "Luk/ac/manchester/tornado/api/annotations/Parallel;";
    private static final String RECORDER = Type.getInternalName(AccessRecorder.class);

    /** One instrumented call: where it is in the kernels' source and what it does. */
    public record Site(String kernelClass, String method, int line, boolean write) {}

    private final List<String> prefixes;
    private final List<Site> sites = new ArrayList<>();

    /** Instruments the classes whose names start with one of {@code prefixes}; delegates the rest. */
    public KernelInstrumenter(ClassLoader parent, String... prefixes) {
        super(parent);
        this.prefixes = List.of(prefixes);
    }

    public synchronized Site site(int id) {
        return sites.get(id);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (prefixes.stream().noneMatch(name::startsWith)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                byte[] bytes = instrument(read(name));
                loaded = defineClass(name, bytes, 0, bytes.length);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    private byte[] read(String name) throws ClassNotFoundException {
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized byte[] instrument(byte[] original) {
        ClassNode node = new ClassNode();
        new ClassReader(original).accept(node, 0);
        for (MethodNode method : node.methods) {
            instrumentParallelIndices(method);
            instrumentCalls(node.name, method);
        }
        // No branch is added and every replacement leaves the stack as the original did: the stack map
        // frames stay valid, only the maximum stack grows.
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        node.accept(writer);
        return writer.toByteArray();
    }

    /** After every store of a {@code @Parallel} variable inside its loop: AccessRecorder.parallelIndex(value, level). */
    private static void instrumentParallelIndices(MethodNode method) {
        if (method.visibleLocalVariableAnnotations == null) {
            return;
        }
        InsnList code = method.instructions;
        List<LocalVariableAnnotationNode> loops = new ArrayList<>();
        for (LocalVariableAnnotationNode annotation : method.visibleLocalVariableAnnotations) {
            if (PARALLEL.equals(annotation.desc)) {
                loops.add(annotation);
            }
        }
        loops.sort(Comparator.comparingInt(a -> code.indexOf(a.start.get(0))));
        if (loops.size() > 2) {
            throw new UnsupportedOperationException(method.name + ": more than two @Parallel loops");
        }
        for (int level = 0; level < loops.size(); level++) {
            LocalVariableAnnotationNode loop = loops.get(level);
            int slot = loop.index.get(0);
            int start = code.indexOf(loop.start.get(0));
            int end = code.indexOf(loop.end.get(0));
            // The loop's initialising store comes just before the variable's scope starts.
            int from = start;
            while (from > 0 && !storesTo(code.get(from), slot)) {
                from--;
            }
            List<AbstractInsnNode> stores = new ArrayList<>();
            for (int i = from; i <= end; i++) {
                if (storesTo(code.get(i), slot)) {
                    stores.add(code.get(i));
                }
            }
            for (AbstractInsnNode store : stores) {
                InsnList report = new InsnList();
                report.add(new VarInsnNode(Opcodes.ILOAD, slot));
                report.add(new IntInsnNode(Opcodes.BIPUSH, level));
                report.add(new MethodInsnNode(Opcodes.INVOKESTATIC, RECORDER, "parallelIndex", "(II)V", false));
                code.insert(store, report);
            }
        }
    }

    private static boolean storesTo(AbstractInsnNode instruction, int slot) {
        return instruction instanceof VarInsnNode v && v.getOpcode() == Opcodes.ISTORE && v.var == slot
                || instruction instanceof IincInsnNode inc && inc.var == slot;
    }

    private void instrumentCalls(String owner, MethodNode method) {
        int line = -1;
        for (AbstractInsnNode instruction : method.instructions.toArray()) {
            if (instruction instanceof LineNumberNode number) {
                line = number.line;
            } else if (instruction instanceof MethodInsnNode call) {
                String replacement = replacement(call);
                if (replacement == null) {
                    continue;
                }
                boolean access = call.owner.equals(FLOAT_ARRAY) || call.owner.equals(INT_ARRAY);
                boolean local = call.name.startsWith("allocate");
                InsnList before = new InsnList();
                if (access || local) {
                    before.add(new LdcInsnNode(sites.size()));
                    sites.add(new Site(owner.replace('/', '.'), method.name, line, call.name.equals("set")));
                }
                String descriptor = "(L" + call.owner + ";" + call.desc.substring(1, call.desc.indexOf(')'))
                        + (access || local ? "I" : "") + call.desc.substring(call.desc.indexOf(')'));
                method.instructions.insertBefore(call, before);
                method.instructions.set(call, new MethodInsnNode(Opcodes.INVOKESTATIC, RECORDER, replacement, descriptor, false));
            } else if (instruction instanceof FieldInsnNode field && field.owner.equals(CONTEXT) && field.getOpcode() == Opcodes.GETFIELD) {
                InsnList replaced = new InsnList();
                replaced.add(new LdcInsnNode(field.name));
                replaced.add(new MethodInsnNode(Opcodes.INVOKESTATIC, RECORDER, "contextField",
                        "(L" + CONTEXT + ";Ljava/lang/String;)Ljava/lang/Integer;", false));
                method.instructions.insertBefore(field, replaced);
                method.instructions.remove(field);
            }
        }
    }

    /** The recorder's method that replaces {@code call}, or null to leave it. */
    private static String replacement(MethodInsnNode call) {
        String kind = switch (call.owner) {
            case FLOAT_ARRAY -> "float";
            case INT_ARRAY -> "int";
            default -> null;
        };
        if (kind != null) {
            return Set.of("get", "set").contains(call.name) && call.getOpcode() == Opcodes.INVOKEVIRTUAL
                    ? kind + Character.toUpperCase(call.name.charAt(0)) + call.name.substring(1) : null;
        }
        if (!call.owner.equals(CONTEXT)) {
            return null;
        }
        return switch (call.name) {
            case "localBarrier" -> "localBarrier";
            case "allocateFloatLocalArray" -> "localFloats";
            case "allocateIntLocalArray" -> "localInts";
            default -> throw new UnsupportedOperationException("KernelContext." + call.name + " is not simulated");
        };
    }
}
