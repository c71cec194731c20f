"""What organizers noted at the demo's meetings, seminars and workshops, written for the demo.

One note a line, keyed by the event it was taken at (the keys of `dialogue.demo.timeline`). Before the
bar: what kind of note it is (statement, idea, challenge, building_block), the building blocks an
analyst codes it to (`dialogue.demo.answers.BLOCKS`), ``%group`` for who said it when the note-taker
knew (resident, young, association, business), ``@Locality`` when it was about another locality than
the event's, and ``*`` when an analyst would quote it publicly.
"""

# one piece a line, however long: a resident's sentence is not broken for the line length
# ruff: noqa: E501

from __future__ import annotations

NOTES = {
    "meeting-flen": """
statement nara %resident | Många uppskattar gemenskapen i Flen, trots att det är kommunens största ort.
statement jobb | Oro för de tomma butikslokalerna på Storgatan. Flera vill ha ett levande centrum med caféer och handel.
idea jobb besok | Idé: sommarbutiker för lokala hantverkare i de tomma lokalerna.
statement bo * | Stationen är Flens viktigaste tillgång. Fler avgångar mot Stockholm och Eskilstuna skulle göra stor skillnad.
idea bo hallbar | Pendlarparkering med laddplatser vid stationen.
statement natur hallbar | Sjöarna mitt i tätorten borde lyftas fram, med promenadstråk och bryggor.
statement nara %young | Ungdomar vid ett bord: det finns inget att göra på kvällarna. De vill ha en mötesplats som inte bara är idrott.
idea skola jobb | Samarbete mellan gymnasiet och företagen, så att fler unga får praktik på hemmaplan.
statement samverkan | Flera vill veta vad som händer med det som sägs i kväll. Återkoppling efterfrågas.
statement nara * | Språkcaféet på biblioteket fungerar bra och borde finnas fler kvällar i veckan.
idea enkel | En enda väg in till kommunen: ett telefonnummer och en person som tar emot och lotsar vidare.
idea bo hallbar @Malmköping | Cykelväg mellan orterna, först Flen–Malmköping.
statement besok | Flen säljer sig dåligt. Den som åker förbi på riksvägen ser inte vad som finns här.
idea nara %association | En gemensam föreningskalender för hela kommunen.
""",
    "meeting-malmkoping": """
statement natur besok * | Malmköpingsborna är stolta över sin ort: torget, museispårvägen och Malma hed nämns om och om igen.
idea besok | Samla sommarens evenemang i ett program och marknadsför det i Stockholm.
statement bo | Bussen mellan Malmköping och Flen går för sällan, många är beroende av bilen.
statement nara %association | Föreningarna samarbetar bra men saknar en gemensam lokal.
statement natur bo | Oro för att nybyggen ska förstöra den gamla småstadsmiljön. Bygg gärna, men varsamt.
idea bo | Fler hyresrätter för äldre som vill sälja huset men bo kvar i orten.
statement skola | Skolan har gott rykte och lockar barnfamiljer. Viktigt att den får resurser.
idea natur hallbar | Skyltade vandringsleder mellan sjöarna, med rastplatser.
statement jobb besok | Turismen ger jobb på sommaren, men det är svårt att driva företag året runt.
statement enkel | Vårdcentralen har fått kortare öppettider, och det oroar de äldre.
idea samverkan * | Låt orterna ha en egen liten budget för förbättringar. Byarna vet själva vad som behövs.
statement nara * | "Här ställer man upp." Flera berättar om grannar som hjälper varandra.
idea besok jobb | Gårdsbutiker och caféer längs en skyltad matslinga genom kommunen.
statement samverkan %young | Två gymnasieelever: unga flyttar för att studera, men många skulle komma tillbaka om det fanns jobb och bostad.
""",
    "meeting-halleforsnas": """
statement natur * | Bruksandan lever. Man är stolt över gjuteriet och järnets historia.
statement jobb | Oro för jobben. När bruket drog ner försvann mycket, och orten behöver nya arbetsgivare.
idea jobb besok | Använd brukshistorien: ett besökscentrum, hantverk och kurser i gjutning.
statement bo | De billiga husen gör orten intressant för barnfamiljer från Stockholm och Eskilstuna.
statement bo | Bussen till Flen och Eskilstuna måste gå oftare och senare på kvällen.
statement skola * | Skolan är ortens hjärta. Stänger den, då dör orten.
statement nara | Folkets hus är den viktigaste mötesplatsen och måste få finnas kvar.
idea nara %young | En skatepark, eller en ungdomsgård som ungdomarna driver själva.
statement enkel | Det är långt till service när man inte har bil.
idea hallbar | Solceller på kommunens tak och på bruksområdets stora ytor.
statement samverkan | Känslan av att vara bortglömd: besluten fattas i Flen och ingen hör av sig.
statement natur hallbar | Sjöarna och skogarna runt orten används för lite: fiske, kanot, vandring.
idea samverkan * | Ett lokalt utvecklingsråd där boende, föreningar och företag träffar kommunen fyra gånger om året.
statement nara | Många nyanlända har flyttat hit. Flera vill mötas mer, till exempel genom idrott och matlagning.
""",
    "seminar-population": """
statement bo | Befolkningen blir äldre, och fler behöver tillgängliga bostäder med hiss och service nära.
statement bo samverkan | Stockholmsregionen växer. Flen kan ta emot en del av tillväxten om tågen och bostäderna finns.
idea bo | Fråga från publiken: kan kommunen bygga hyresrätter i de mindre orterna, inte bara i Flen?
statement natur * | Människor flyttar till platser med identitet. Orternas särprägel är en tillgång när kommuner konkurrerar om invånare.
statement enkel | Service på landsbygden: ett ombud i lanthandeln är bättre än ingenting.
idea hallbar | Bygg energisnålt och i trä, och gör det till något kommunen blir känd för.
statement nara | Flera talade om ensamheten bland äldre och om hur viktiga mötesplatserna är.
""",
    "seminar-work": """
statement jobb | Fler arbetar hemifrån några dagar i veckan, och det gynnar kommuner som Flen.
statement bo | Utan bra bredband går det inte att jobba hemifrån på landsbygden.
statement jobb skola %business | Företagare efterlyser yrkesutbildningar som passar de lokala företagens behov.
statement samverkan | Samarbete över kommungränserna om pendling och näringsliv.
idea jobb * | Ett företagslyft: kommunens chefer besöker varje företag en gång om året.
statement bo hallbar | Fråga från publiken om snabbare tåg och om att kunna ta cykeln med på tåget.
idea besok jobb | En ny näring: naturturism för utländska gäster, med guider och paddling.
""",
    "workshop-1": """
challenge enkel | Service och handel försvinner från de mindre orterna.
challenge bo | Kollektivtrafiken är för gles för att man ska klara sig utan bil.
challenge jobb %business | För få jobb på hemmaplan och för få som startar eget.
challenge skola | Skolresultaten skiljer sig mycket mellan skolorna.
challenge nara %young | Unga ser ingen framtid här och flyttar när de har tagit studenten.
challenge samverkan | Kommunen syns inte i regionen och får inte sin del av satsningarna.
challenge hallbar | Sjöarna växer igen och vattnet blir sämre.
challenge natur | Självbilden. Vi pratar ner oss själva.
building_block natur * | Stolthet över naturen och över varje orts egen karaktär.
building_block enkel * | Det ska vara enkelt att bo, leva och verka här: en kommun utan krångel.
building_block bo | Bra och prisvärda bostäder nära goda kommunikationer.
building_block jobb %business * | Ett företagsklimat där kommunen ser företagarna som partner.
building_block skola %young | Skolor där alla elever får chansen att lyckas.
building_block nara %association * | Öppenhet och omtanke: vi tar hand om varandra.
building_block besok | Gästfrihet: den som kommer hit ska känna sig välkommen.
building_block samverkan * | Vi driver vår egen utveckling, tillsammans med grannarna och regionen.
""",
    "workshop-2": """
building_block hallbar * | Hållbar utveckling, där det sjörika landskapet vårdas för kommande generationer.
building_block natur besok | Sörmlands hjärta som symbol, för geografin och för det samhälle vi vill vara.
challenge nara | Att alla ska känna sig välkomna, också den som nyss kommit till Sverige.
building_block nara %association | Mötesplatser i varje ort: bibliotek, bygdegård, Folkets hus.
challenge enkel | Kommunens service upplevs krånglig och långsam, särskilt bygglov och tillstånd.
building_block jobb skola %business | Samarbete mellan skola och näringsliv, med praktik och lärlingsplatser.
building_block bo %young | Bostäder för unga, så att man kan flytta hemifrån utan att flytta härifrån.
building_block skola * | Skolor med hög kvalitet är vår viktigaste investering.
challenge besok | Besöksnäringen är liten och beroende av sommaren.
building_block besok %business * | Bli känd som den gästfriaste platsen att besöka i Sörmland.
challenge samverkan | Att hålla dialogen vid liv när visionen väl är antagen.
building_block samverkan %association | Invånarna tar plats och påverkar: dialog som blir en vana.
building_block hallbar bo | Klimatsmarta resor, med tåg och cykel före bilen.
building_block enkel nara * | Ett gott liv i alla åldrar, från förskolan till äldreomsorgen.
""",
}
