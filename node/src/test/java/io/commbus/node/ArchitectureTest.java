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
    return classes().that().resideInAPackage(pkg)
        .should().onlyDependOnClassesThat(not(resideInAPackage("io.commbus..")).or(resideInAnyPackage(allowed)))
        .because("docs/architecture.md lets " + pkg + " use only " + String.join(", ", allowed));
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
    onlyUses("io.commbus.bus.journal", "io.commbus.bus", "io.commbus.bus.journal", "io.commbus.bus.error")
        .check(production);
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
}
