package dev.slicedattention.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the scripts find a TornadoVM SDK (scripts/lib/common.sh, {@code sa_find_tornado}), on fake SDK
 * trees in a temporary folder: the discovery runs in bash as the scripts run it, with HOME, the search
 * places, the OpenCL vendors folder and the cache pointed into that folder, so an SDK installed on this
 * machine does not take part.
 */
class TornadoDiscoveryTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** The JDK release a fake SDK is built for: the one running this test, whose home the script gets as JAVA_HOME. */
    private static final int RELEASE = Runtime.version().feature();

    @TempDir
    Path tmp;
    private Path home;
    private Path vendors;

    @BeforeEach
    void machine() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        // An OpenCL vendor whose library exists: the OpenCL backend has a driver.
        vendors = Files.createDirectories(tmp.resolve("vendors"));
        Path library = Files.writeString(tmp.resolve("libFakeOpenCL.so"), "");
        Files.writeString(vendors.resolve("fake.icd"), library + "\n");
    }

    /** A TornadoVM SDK tree as a release or the build scripts leave it, for the given version and backends. */
    private static Path fakeSdk(Path dir, String version, String... backends) throws IOException {
        Path jars = Files.createDirectories(dir.resolve("share/java/tornado"));
        Files.writeString(jars.resolve("tornado-api-" + version + ".jar"), "");
        Files.writeString(jars.resolve("tornado-runtime-" + version + ".jar"), "");
        List<String> backendNames = new ArrayList<>();
        StringBuilder template = new StringBuilder("-Djava.library.path=${TORNADOVM_HOME}/lib\n"
                + "--module-path .:${TORNADOVM_HOME}/share/java/tornado\n"
                + "--add-modules ALL-SYSTEM,tornado.runtime");
        for (String backend : backends) {
            Files.writeString(jars.resolve("tornado-drivers-" + backend + "-" + version + ".jar"), "");
            backendNames.add(backend + "-backend");
            template.append(",tornado.drivers.").append(backend);
        }
        template.append("\n# ===: common-exports ===\n--add-exports=a/b=tornado.runtime\n");
        for (String backend : backends) {
            template.append("# === ").append(backend).append("-exports ===\n--add-reads=tornado.drivers.").append(backend).append("=x\n");
        }
        Files.writeString(dir.resolve("tornado-argfile.template"), template);
        Files.createDirectories(dir.resolve("lib"));
        Files.writeString(dir.resolve("lib/libtornado-" + backends[0] + ".so"), "");
        Files.createDirectories(dir.resolve("etc"));
        Files.writeString(dir.resolve("etc/tornado.backend"), "tornado.backends=" + String.join(",", backendNames) + "\n");
        return dir;
    }

    private static String version(int release) {
        return "5.2.0-jdk" + release;
    }

    /** What sa_find_tornado decided: status, note, TORNADOVM_HOME, the argfile. */
    private record Found(String status, String note, String tornadoHome, String argfile) {}

    private Found discover(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "-c",
                "source \"$SA_ROOT_DIR/scripts/lib/common.sh\"; sa_find_tornado \"$@\"; "
                        + "printf '%s\\n' \"$SA_TORNADO_STATUS\" \"$SA_TORNADO_NOTE\" \"${TORNADOVM_HOME:-}\" \"${SA_TORNADO_ARGFILE:-}\"",
                "discover"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.remove("TORNADOVM_HOME");
        environment.remove("SA_TORNADO");
        environment.remove("SDKMAN_DIR");
        environment.remove("OCL_ICD_VENDORS");
        environment.remove("OCL_ICD_FILENAMES");
        environment.put("SA_ROOT_DIR", ROOT.toString());
        environment.put("HOME", home.toString());
        environment.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        environment.put("OPENCL_VENDOR_PATH", vendors.toString());
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("LD_LIBRARY_PATH", "");
        environment.putAll(env);
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "discovery did not finish in a minute");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        String[] lines = output.split("\n", -1);
        assertTrue(lines.length >= 4, output);
        return new Found(lines[0], lines[1], lines[2], lines[3]);
    }

    @Test
    void takesSdkmansCurrentCandidateWithoutTornadovmHome() throws Exception {
        Path sdk = fakeSdk(home.resolve(".sdkman/candidates/tornadovm/current"), version(RELEASE), "opencl");
        Found found = discover(Map.of());
        assertEquals("on", found.status(), found.note());
        assertEquals(sdk.toRealPath().toString(), found.tornadoHome());
        assertTrue(found.note().contains("found in the usual places") && found.note().contains(sdk.toRealPath().toString()), found.note());
        // The argfile is written from the template for this folder, into the cache (the SDK may be read-only).
        Path argfile = Path.of(found.argfile());
        assertTrue(argfile.startsWith(tmp.resolve("cache")), found.argfile());
        String text = Files.readString(argfile);
        assertTrue(text.contains("-Djava.library.path=" + sdk.toRealPath() + "/lib"), text);
        assertFalse(text.contains("${TORNADOVM_HOME}"), text);
    }

    @Test
    void takesAnSdkFolderUnderOptStyleParents() throws Exception {
        // /opt/tornadovm holding sdk/ (the project's setup recipes): the parent is not an SDK, its sdk* child is.
        Path parent = Files.createDirectories(tmp.resolve("opt/tornadovm"));
        Path sdk = fakeSdk(parent.resolve("sdk"), version(RELEASE), "opencl");
        Found found = discover(Map.of("SA_TORNADO_SEARCH", tmp.resolve("opt") + "/tornadovm*"));
        assertEquals("on", found.status(), found.note());
        assertEquals(sdk.toRealPath().toString(), found.tornadoHome());
    }

    @Test
    void tornadovmHomeComesFirst() throws Exception {
        fakeSdk(home.resolve(".sdkman/candidates/tornadovm/current"), version(RELEASE), "opencl");
        Path chosen = fakeSdk(tmp.resolve("chosen"), version(RELEASE), "opencl");
        Found found = discover(Map.of("TORNADOVM_HOME", chosen.toString()));
        assertEquals("on", found.status(), found.note());
        assertEquals(chosen.toRealPath().toString(), found.tornadoHome());
        assertTrue(found.note().contains("(TORNADOVM_HOME)"), found.note());
    }

    @Test
    void anIncompleteSdkIsNamedWithWhatItLacks() throws Exception {
        Path sdk = fakeSdk(tmp.resolve("places/tornadovm-broken"), version(RELEASE), "opencl");
        Files.delete(sdk.resolve("lib/libtornado-opencl.so"));
        Found found = discover(Map.of("SA_TORNADO_SEARCH", tmp.resolve("places") + "/tornadovm*"));
        assertEquals("unusable", found.status(), found.note());
        assertTrue(found.note().contains("no native library") && found.note().contains("tornadovm-broken"), found.note());
        assertTrue(found.note().contains("running with the JVM backends"), found.note());
        assertEquals("", found.tornadoHome(), "TORNADOVM_HOME must be unset: Maven's tornadovm profile follows it");
    }

    @Test
    void anSdkForAJdkThatIsNotHereIsNamedWithTheFix() throws Exception {
        fakeSdk(tmp.resolve("places/tornadovm-future"), "5.2.0-jdk99", "opencl");
        Found found = discover(Map.of("SA_TORNADO_SEARCH", tmp.resolve("places") + "/tornadovm*"));
        assertEquals("unusable", found.status(), found.note());
        assertTrue(found.note().contains("needs JDK 99") && found.note().contains("install"), found.note());
    }

    @Test
    void anSdkWithNoDriverForAnyBackendIsNamed() throws Exception {
        fakeSdk(tmp.resolve("places/tornadovm-ocl"), version(RELEASE), "opencl");
        Found found = discover(Map.of("SA_TORNADO_SEARCH", tmp.resolve("places") + "/tornadovm*",
                "OPENCL_VENDOR_PATH", tmp.resolve("no-vendors").toString()));
        assertEquals("unusable", found.status(), found.note());
        assertTrue(found.note().contains("no OpenCL platform") && found.note().contains("pocl-opencl-icd"), found.note());
    }

    @Test
    void aBackendWithoutItsDriverIsLeftOutOfTheArgfile() throws Exception {
        assumeFalse(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1")) || Files.exists(Path.of("/usr/local/nvidia/lib64/libcuda.so.1")),
                "this machine has NVIDIA's driver: the PTX backend is not left out here");
        Path sdk = fakeSdk(tmp.resolve("places/tornadovm-full"), version(RELEASE), "opencl", "ptx");
        Found found = discover(Map.of("SA_TORNADO_SEARCH", tmp.resolve("places") + "/tornadovm*"));
        assertEquals("on", found.status(), found.note());
        assertTrue(found.note().contains("backends: opencl") && found.note().contains("left out: ptx"), found.note());
        String text = Files.readString(Path.of(found.argfile()));
        assertTrue(text.contains("tornado.drivers.opencl") && !text.contains("tornado.drivers.ptx"), text);
        // The module path is a folder without the PTX driver's jar (TornadoVM starts every backend it finds).
        String modulePath = text.lines().filter(l -> l.startsWith("--module-path ")).findFirst().orElseThrow().substring(14);
        try (var jars = Files.list(Path.of(modulePath))) {
            List<String> names = jars.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.contains("tornado-drivers-opencl-" + version(RELEASE) + ".jar"), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.startsWith("tornado-drivers-ptx")), names.toString());
        }
        assertEquals(sdk.toRealPath().toString(), found.tornadoHome());
    }

    @Test
    void tornadovmHomePointingAtNothingIsNamedAndTheRunGoesOn() throws Exception {
        Found found = discover(Map.of("TORNADOVM_HOME", tmp.resolve("missing").toString()));
        assertEquals("unusable", found.status(), found.note());
        assertTrue(found.note().contains("TORNADOVM_HOME") && found.note().contains("is not a folder"), found.note());
        assertEquals("", found.tornadoHome());
    }

    @Test
    void theOffSwitchAndTheFlagTurnDiscoveryOff() throws Exception {
        Path sdk = fakeSdk(home.resolve(".sdkman/candidates/tornadovm/current"), version(RELEASE), "opencl");
        Found bySwitch = discover(Map.of("SA_TORNADO", "off", "TORNADOVM_HOME", sdk.toString()));
        assertEquals("off", bySwitch.status(), bySwitch.note());
        assertEquals("", bySwitch.tornadoHome());
        Found byFlag = discover(Map.of(), "showcase", "--no-tornado");
        assertEquals("off", byFlag.status(), byFlag.note());
        assertEquals("", byFlag.tornadoHome());
    }

    @Test
    void noSdkAnywhereSaysWhereItLooked() throws Exception {
        Found found = discover(Map.of("SA_TORNADO_SEARCH", tmp.resolve("nothing-here").toString()));
        assertEquals("none", found.status(), found.note());
        assertTrue(found.note().contains("no SDK found"), found.note());
    }
}
