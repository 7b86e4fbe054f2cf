declare namespace App {
  interface Locals {
    /**
     * Set by the port route before it renders an article, so the components an MDX body may use
     * (`<Ref />`, `<UnofficialUses />`, `<CheckCommands />`) can read the page they are on.
     */
    article?: import('./components/mdx/context.ts').ArticleContext;
  }
}
