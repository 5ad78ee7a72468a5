package io.commbus.node;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The rules of docs/architecture.md ("Which package may import which"), checked on the
 * compiled production classes of every module the node is built from. The node sits on top
 * of every other module, so its test class path holds them all.
 */
class ArchitectureTest {

  private static JavaClasses production;

  @BeforeAll
  static void importProductionClasses() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.commbus");
  }

  /** Classes in {@code pkg} may use, of commbus, only the packages {@code allowed} (theirs included). */
  private static ArchRule onlyUses(String pkg, String... allowed) {
    return usesWithin("io.commbus..", pkg, allowed);
  }

  /** Classes in {@code pkg} may use, of the packages in {@code scope}, only {@code allowed} (theirs included). */
  private static ArchRule usesWithin(String scope, String pkg, String... allowed) {
    return classes().that().resideInAPackage(pkg)
        .should().onlyDependOnClassesThat(not(resideInAPackage(scope)).or(resideInAnyPackage(allowed)))
        .because("docs/architecture.md lets " + pkg + " use, of " + scope + ", only " + String.join(", ", allowed));
  }

  // ---------------------------------------------------------------- modules

  @Test
  void modulesPointOneWay() {
    onlyUses("io.commbus.cluster..", "io.commbus.cluster..").check(production);
    onlyUses("io.commbus.bus..", "io.commbus.bus..").check(production);
    onlyUses("io.commbus.coordinator..", "io.commbus.bus..", "io.commbus.coordinator..").check(production);
    onlyUses("io.commbus.process..", "io.commbus.bus..", "io.commbus.process..").check(production);
    onlyUses("io.commbus.adapter.postgres..", "io.commbus.bus..", "io.commbus.adapter.postgres..").check(production);
    onlyUses("io.commbus.adapter.http..", "io.commbus.bus..", "io.commbus.coordinator..", "io.commbus.adapter.http..")
        .check(production);
    onlyUses("io.commbus.testhosts..", "io.commbus.testhosts..").check(production);
  }

  /** The multi-host harness is test support: no production class may use it. */
  @Test
  void onlyTestsUseTheTestHosts() {
    noClasses().that().resideOutsideOfPackage("io.commbus.testhosts..")
        .should().dependOnClassesThat().resideInAPackage("io.commbus.testhosts..")
        .because("commbus-test-hosts is a test-scope module (docs/architecture.md)")
        .check(production);
  }

  @Test
  void onlyOneClassReachesIntoVertxInternals() {
    noClasses().that().doNotHaveFullyQualifiedName("io.commbus.bus.internal.VertxInternals")
        .should().dependOnClassesThat().resideInAPackage("io.vertx.core.internal..")
        .because("Vert.x's internal API changes without notice; VertxInternals is the one place that may use it")
        .check(production);
  }

  // ---------------------------------------------------------------- inside the bus

  @Test
  void busPackagesLayerUnderTheFacade() {
    onlyUses("io.commbus.bus.error", "io.commbus.bus.error").check(production);
    onlyUses("io.commbus.bus.config", "io.commbus.bus.config").check(production);
    onlyUses("io.commbus.bus.internal", "io.commbus.bus.internal", "io.commbus.bus.error").check(production);
    onlyUses("io.commbus.bus.stream", "io.commbus.bus", "io.commbus.bus.stream", "io.commbus.bus.internal",
        "io.commbus.bus.error").check(production);
    onlyUses("io.commbus.bus.journal", "io.commbus.bus", "io.commbus.bus.journal", "io.commbus.bus.config",
        "io.commbus.bus.error").check(production);
    onlyUses("io.commbus.bus.journal.group", "io.commbus.bus", "io.commbus.bus.journal", "io.commbus.bus.journal.group",
        "io.commbus.bus.internal", "io.commbus.bus.error").check(production);
    onlyUses("io.commbus.bus.journal.file", "io.commbus.bus", "io.commbus.bus.journal", "io.commbus.bus.journal.file",
        "io.commbus.bus.internal", "io.commbus.bus.config", "io.commbus.bus.error").check(production);
    onlyUses("io.commbus.bus.middleware", "io.commbus.bus", "io.commbus.bus.middleware", "io.commbus.bus.error")
        .check(production);
  }

  @Test
  void onlyTheFacadeFactoryReachesTheImplementation() {
    noClasses().that().resideOutsideOfPackages("io.commbus.bus.impl", "io.commbus.bus")
        .should().dependOnClassesThat().resideInAPackage("io.commbus.bus.impl")
        .because("io.commbus.bus.impl is the bus's implementation; CommBus.create is its one door")
        .check(production);
  }

  // ---------------------------------------------------------------- inside the process verticles

  /**
   * The wire knows frames only; a child run knows the wire; a pool knows its children and the
   * wire. None of them reaches up into the public package (ProcessVerticle and its options),
   * which assembles them, so parts report upward through the pool's listener interfaces.
   */
  @Test
  void processPackagesLayerWireChildPool() {
    String process = "io.commbus.process..";
    usesWithin(process, "io.commbus.process.wire", "io.commbus.process.wire").check(production);
    onlyUses("io.commbus.process.wire", "io.commbus.process.wire", "io.commbus.bus.error").check(production);
    usesWithin(process, "io.commbus.process.child", "io.commbus.process.child", "io.commbus.process.wire")
        .check(production);
    usesWithin(process, "io.commbus.process.pool", "io.commbus.process.pool", "io.commbus.process.child",
        "io.commbus.process.wire").check(production);
  }

  // ---------------------------------------------------------------- inside the node

  /**
   * The command line sits on top; the admin API reads the assembled node; the node assembles
   * from its configuration and the pool services; the configuration knows only the options it
   * fills (the pool services' among them). So no two of the node's packages use each other.
   */
  @Test
  void nodePackagesLayerUnderTheCommandLine() {
    String node = "io.commbus.node..";
    usesWithin(node, "io.commbus.node.pools", "io.commbus.node.pools").check(production);
    usesWithin(node, "io.commbus.node.config", "io.commbus.node.config", "io.commbus.node.pools").check(production);
    usesWithin(node, "io.commbus.node", "io.commbus.node", "io.commbus.node.config", "io.commbus.node.pools")
        .check(production);
    usesWithin(node, "io.commbus.node.admin", "io.commbus.node.admin", "io.commbus.node", "io.commbus.node.config")
        .check(production);
    usesWithin(node, "io.commbus.node.demo", "io.commbus.node.demo", "io.commbus.node.pools").check(production);
    usesWithin(node, "io.commbus.node.cli", "io.commbus.node.cli", "io.commbus.node", "io.commbus.node.config",
        "io.commbus.node.admin", "io.commbus.node.demo").check(production);
  }

  @Test
  void nothingBelowTheCommandLineUsesIt() {
    noClasses().that().resideOutsideOfPackage("io.commbus.node.cli")
        .should().dependOnClassesThat().resideInAPackage("io.commbus.node.cli")
        .because("io.commbus.node.cli is the program; the node, its configuration and its admin API are used by it")
        .check(production);
  }
}
