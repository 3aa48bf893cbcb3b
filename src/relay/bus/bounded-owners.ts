// Which instance owns a request, session or message id, for frames an agent sends back. Bounded:
// the oldest entries go first; a forgotten id is handled locally, where the router answers it as
// unknown (nothing is forwarded on a guess).
export class BoundedOwners {
  private readonly owners = new Map<string, string>();
  constructor(private readonly max = 100_000) {}

  set(id: string, instance: string): void {
    this.owners.delete(id);
    this.owners.set(id, instance);
    if (this.owners.size > this.max) this.owners.delete(this.owners.keys().next().value!);
  }

  get(id: string): string | undefined {
    return this.owners.get(id);
  }

  get size(): number {
    return this.owners.size;
  }
}
